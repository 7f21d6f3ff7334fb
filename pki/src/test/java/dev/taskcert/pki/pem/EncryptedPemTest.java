package dev.taskcert.pki.pem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.crypto.BouncyCastle;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.SecureRandom;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EncryptedPemTest {
  private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
  private static final int FAST_ITERATIONS = EncryptedPem.MIN_ITERATIONS;

  private final SecureRandom random = new SecureRandom();

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384"})
  void decryptsWhatItEncrypted(KeyAlgorithm algorithm) throws Exception {
    PrivateKey key = algorithm.generate(random).getPrivate();
    String pem = EncryptedPem.encrypt(key, PASSPHRASE, FAST_ITERATIONS, random);
    assertTrue(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), pem);
    assertTrue(EncryptedPem.isEncrypted(pem));
    assertArrayEquals(key.getEncoded(), EncryptedPem.decrypt(pem, PASSPHRASE).getEncoded());
  }

  @Test
  void usesPbes2WithPbkdf2HmacSha256AndAes256Cbc() throws Exception {
    String pem = EncryptedPem.encrypt(
        KeyAlgorithm.EC_P256.generate(random).getPrivate(), PASSPHRASE, 4_321, random);
    PKCS8EncryptedPrivateKeyInfo info;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      info = (PKCS8EncryptedPrivateKeyInfo) parser.readObject();
    }
    assertEquals(PKCSObjectIdentifiers.id_PBES2, info.getEncryptionAlgorithm().getAlgorithm());
    PBES2Parameters pbes2 = PBES2Parameters.getInstance(info.getEncryptionAlgorithm().getParameters());
    assertEquals(PKCSObjectIdentifiers.id_PBKDF2, pbes2.getKeyDerivationFunc().getAlgorithm());
    PBKDF2Params kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());
    assertEquals(PKCSObjectIdentifiers.id_hmacWithSHA256, kdf.getPrf().getAlgorithm());
    assertEquals(4_321, kdf.getIterationCount().intValue());
    assertTrue(kdf.getSalt().length >= 16, "salt of at least 128 bits");
    assertEquals(NISTObjectIdentifiers.id_aes256_CBC, pbes2.getEncryptionScheme().getAlgorithm());
  }

  @Test
  void saltsEveryEncryptionAfresh() {
    PrivateKey key = KeyAlgorithm.EC_P256.generate(random).getPrivate();
    assertFalse(EncryptedPem.encrypt(key, PASSPHRASE, FAST_ITERATIONS, random)
        .equals(EncryptedPem.encrypt(key, PASSPHRASE, FAST_ITERATIONS, random)));
  }

  @Test
  void refusesKeyEncryptedWithAnotherPassphrase() {
    String pem = EncryptedPem.encrypt(
        KeyAlgorithm.EC_P256.generate(random).getPrivate(), PASSPHRASE, FAST_ITERATIONS, random);
    assertThrows(WrongPassphraseException.class,
        () -> EncryptedPem.decrypt(pem, "another passphrase entirely".toCharArray()));
  }

  @Test
  void refusesTooFewIterations() {
    PrivateKey key = KeyAlgorithm.EC_P256.generate(random).getPrivate();
    assertThrows(IllegalArgumentException.class, () -> EncryptedPem.encrypt(key, PASSPHRASE, 999, random));
  }

  @Test
  void tellsPlainKeysFromEncryptedOnes() throws Exception {
    String plain = Pem.privateKey(KeyAlgorithm.EC_P256.generate(random).getPrivate());
    assertFalse(EncryptedPem.isEncrypted(plain));
    assertThrows(PemException.class, () -> EncryptedPem.decrypt(plain, PASSPHRASE));
    assertThrows(PemException.class, () -> EncryptedPem.isEncrypted("not PEM at all"));
  }

  @Test
  void refusesLegacyOpensslEncryptionWithAConversionHint() throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(KeyAlgorithm.EC_P256.generate(random),
          new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(BouncyCastle.PROVIDER)
              .setSecureRandom(random).build(PASSPHRASE));
    }
    String legacy = out.toString();
    assertTrue(EncryptedPem.isEncrypted(legacy));
    PemException e = assertThrows(PemException.class, () -> EncryptedPem.decrypt(legacy, PASSPHRASE));
    assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
  }
}

package dev.taskcert.pki.pem;

import dev.taskcert.pki.crypto.BouncyCastle;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * PEM text ({@code ENCRYPTED PRIVATE KEY}) of private keys encrypted as PKCS#8 with PBES2:
 * PBKDF2 with HMAC-SHA256 derives an AES-256-CBC key from a passphrase. This is the format {@code
 * openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256} writes, so a copy of a CA key file
 * alone does not give the key away, and OpenSSL can still read it.
 */
public final class EncryptedPem {
  /** PBKDF2 iterations for newly encrypted keys (OWASP's figure for PBKDF2-HMAC-SHA256). */
  public static final int DEFAULT_ITERATIONS = 600_000;
  /** Fewest PBKDF2 iterations accepted when encrypting. */
  public static final int MIN_ITERATIONS = 1_000;

  private EncryptedPem() {}

  /** Encrypts {@code key} under {@code passphrase} with a fresh random salt and IV. */
  public static String encrypt(
      PrivateKey key, char[] passphrase, int iterations, SecureRandom random) {
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException(
          "PBKDF2 iterations must be at least " + MIN_ITERATIONS + ", got " + iterations);
    }
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      OutputEncryptor encryptor =
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setPRF(PKCS8Generator.PRF_HMACSHA256)
              .setIterationCount(iterations)
              .setRandom(random)
              .setPassword(passphrase)
              .setProvider(BouncyCastle.PROVIDER)
              .build();
      writer.writeObject(new JcaPKCS8Generator(key, encryptor));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot set up AES-256-CBC key encryption", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Whether the private key in {@code pem} is encrypted (PKCS#8 or the legacy OpenSSL form).
   *
   * @throws PemException if the text holds no private key at all
   */
  public static boolean isEncrypted(String pem) throws PemException {
    Object object = readFirst(pem);
    if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
      return true;
    }
    if (object instanceof PrivateKeyInfo || object instanceof PEMKeyPair) {
      return false;
    }
    throw new PemException(object == null ? "no private key found" : "expected a private key");
  }

  /**
   * Decrypts the encrypted PKCS#8 private key in {@code pem}.
   *
   * @throws WrongPassphraseException if the passphrase does not decrypt it
   * @throws PemException if the text holds no encrypted PKCS#8 key, or one in the legacy format
   */
  public static PrivateKey decrypt(String pem, char[] passphrase)
      throws PemException, WrongPassphraseException {
    Object object = readFirst(pem);
    if (object instanceof PEMEncryptedKeyPair) {
      throw new PemException(
          "the key uses the legacy OpenSSL encryption (Proc-Type: 4,ENCRYPTED); convert it with"
              + " openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256");
    }
    if (!(object instanceof PKCS8EncryptedPrivateKeyInfo encrypted)) {
      throw new PemException("expected an encrypted PKCS#8 private key");
    }
    PrivateKeyInfo info;
    try {
      info = encrypted.decryptPrivateKeyInfo(
          new JceOpenSSLPKCS8DecryptorProviderBuilder()
              .setProvider(BouncyCastle.PROVIDER)
              .build(passphrase));
    } catch (OperatorCreationException e) {
      throw new PemException("unsupported key encryption: " + e.getMessage());
    } catch (PKCSException | RuntimeException e) {
      // Bad padding, or (rarely) padding that happens to check out over garbage.
      throw new WrongPassphraseException("the passphrase does not decrypt the key");
    }
    try {
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (PEMException | RuntimeException e) {
      throw new WrongPassphraseException("the passphrase does not decrypt the key");
    }
  }

  private static Object readFirst(String pem) throws PemException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      return parser.readObject();
    } catch (IOException | RuntimeException e) {
      throw new PemException("not a valid PEM private key: " + e.getMessage());
    }
  }
}

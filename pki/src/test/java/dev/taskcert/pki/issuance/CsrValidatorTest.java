package dev.taskcert.pki.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class CsrValidatorTest {
  private final CsrValidator validator = new CsrValidator();

  static KeyPair ecKeys(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    return generator.generateKeyPair();
  }

  static byte[] csr(KeyPair keys, String signatureAlgorithm) throws Exception {
    return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=anything"), keys.getPublic())
        .build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate()))
        .getEncoded();
  }

  @Test
  void acceptsP256RequestAndReturnsItsKey() throws Exception {
    KeyPair keys = ecKeys("secp256r1");
    PublicKey key = validator.validate(csr(keys, "SHA256withECDSA"));
    assertEquals(keys.getPublic(), key);
  }

  @Test
  void acceptsP384Request() throws Exception {
    KeyPair keys = ecKeys("secp384r1");
    assertEquals(keys.getPublic(), validator.validate(csr(keys, "SHA384withECDSA")));
  }

  @Test
  void rejectsTamperedSignature() throws Exception {
    byte[] der = csr(ecKeys("secp256r1"), "SHA256withECDSA");
    der[der.length - 5] ^= 0x01;
    assertThrows(CsrRejectedException.class, () -> validator.validate(der));
  }

  @Test
  void rejectsRequestSignedByAnotherKey() throws Exception {
    KeyPair subject = ecKeys("secp256r1");
    KeyPair other = ecKeys("secp256r1");
    byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), subject.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(other.getPrivate()))
        .getEncoded();
    CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> validator.validate(der));
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
  }

  @Test
  void rejectsWeakRsaKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    byte[] der = csr(generator.generateKeyPair(), "SHA256withRSA");
    CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> validator.validate(der));
    assertTrue(e.getMessage().contains("3072"), e.getMessage());
  }

  @Test
  void rejectsRsaKeyWithAHugePublicExponent() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(new RSAKeyGenParameterSpec(3072, BigInteger.ONE.shiftLeft(300).add(BigInteger.ONE)));
    byte[] der = csr(generator.generateKeyPair(), "SHA256withRSA");
    CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> validator.validate(der));
    assertTrue(e.getMessage().contains("exponent"), e.getMessage());
  }

  @Test
  void rejectsUnlistedCurve() throws Exception {
    byte[] der = csr(ecKeys("secp521r1"), "SHA512withECDSA");
    assertThrows(CsrRejectedException.class, () -> validator.validate(der));
  }

  @Test
  void rejectsGarbageEmptyAndOversizedInput() {
    assertThrows(CsrRejectedException.class, () -> validator.validate(new byte[] {0x30, 0x03, 0x01, 0x02}));
    assertThrows(CsrRejectedException.class, () -> validator.validate(new byte[0]));
    assertThrows(CsrRejectedException.class, () -> validator.validate(null));
    assertThrows(CsrRejectedException.class,
        () -> validator.validate(new byte[CsrValidator.MAX_CSR_BYTES + 1]));
  }
}

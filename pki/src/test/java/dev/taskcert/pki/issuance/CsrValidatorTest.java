package dev.taskcert.pki.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
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

  /**
   * A CSR for a 16384-bit RSA key, with a signature that is only random bytes: checking it would
   * cost seconds of CPU, so its size must be refused from the encoded key alone.
   */
  static byte[] hugeRsaCsr(int bits) throws Exception {
    SecureRandom random = new SecureRandom();
    BigInteger modulus = new BigInteger(bits, random).setBit(bits - 1).setBit(0);
    SubjectPublicKeyInfo key = new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
        new org.bouncycastle.asn1.pkcs.RSAPublicKey(modulus, BigInteger.valueOf(65537)));
    byte[] signature = new byte[bits / 8];
    random.nextBytes(signature);
    return new CertificationRequest(
        new CertificationRequestInfo(new X500Name("CN=huge"), key, new DERSet()),
        new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE),
        new DERBitString(signature)).getEncoded();
  }

  @Test
  void rejectsRsaKeyAboveTheLargestSizeBeforeCheckingItsSignature() throws Exception {
    byte[] der = hugeRsaCsr(16384);
    assertTrue(der.length <= CsrValidator.MAX_CSR_BYTES, "the request fits the size limit: " + der.length);
    CsrRejectedException e = assertThrows(CsrRejectedException.class, () -> validator.validate(der));
    assertEquals("CSR RSA key is 16384 bits; 3072 to 4096 required", e.getMessage());
    CsrRejectedException justAbove = assertThrows(CsrRejectedException.class,
        () -> validator.validate(hugeRsaCsr(CsrValidator.MAX_RSA_BITS + 8)));
    assertTrue(justAbove.getMessage().contains("4104 bits"), justAbove.getMessage());
  }

  @Test
  void acceptsRsaKeyOfTheLargestSize() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(CsrValidator.MAX_RSA_BITS);
    KeyPair keys = generator.generateKeyPair();
    assertEquals(keys.getPublic(), validator.validate(csr(keys, "SHA256withRSA")));
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

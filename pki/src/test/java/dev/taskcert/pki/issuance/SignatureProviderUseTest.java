package dev.taskcert.pki.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.ChainCheck;
import dev.taskcert.pki.ca.ChainVerifier;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.crypto.BouncyCastle;
import dev.taskcert.pki.crypto.CountingProvider;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.crypto.SignatureProvider.Choice;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CSR check, certificate signatures and chain checks go through the signature provider in force,
 * and through BouncyCastle where that provider lacks an algorithm.
 */
class SignatureProviderUseTest {
  private static final TrustDomain DOMAIN = new TrustDomain("providers.example");
  private static final Instant NOW = Instant.now();
  private static final TaskIdentity TASK = new TaskIdentity("dag", "run", "task", -1, 1);
  private static final String COUNTING = "CountingForPkiTest";

  private final SecureRandom random = new SecureRandom();
  private final CountingProvider counting = new CountingProvider(COUNTING, Security.getProvider("SunEC"));
  private final SignatureProvider countingSelection = SignatureProvider.select(Choice.NATIVE, () -> counting);

  @AfterEach
  void unregister() {
    Security.removeProvider(COUNTING);
  }

  @Test
  void theCsrSignatureIsCheckedByTheProviderInForce() throws Exception {
    CsrValidator validator = new CsrValidator(countingSelection);
    KeyPair keys = CsrValidatorTest.ecKeys("secp256r1");

    assertEquals(keys.getPublic(), validator.validate(CsrValidatorTest.csr(keys, "SHA256withECDSA")));
    assertEquals(1, counting.verified());

    byte[] tampered = CsrValidatorTest.csr(keys, "SHA256withECDSA");
    tampered[tampered.length - 5] ^= 0x01;
    assertThrows(CsrRejectedException.class, () -> validator.validate(tampered));
    assertEquals(2, counting.verified(), "a bad signature is refused by the provider in force, not retried");
  }

  @Test
  void anAlgorithmTheProviderLacksIsCheckedByBouncyCastle() throws Exception {
    CsrValidator validator = new CsrValidator(countingSelection);
    KeyPair ec = CsrValidatorTest.ecKeys("secp256r1");
    byte[] sha3 = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), ec.getPublic())
        .build(new JcaContentSignerBuilder("SHA3-256withECDSA").setProvider(BouncyCastle.PROVIDER).build(ec.getPrivate()))
        .getEncoded();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(3072);
    KeyPair rsaKeys = rsa.generateKeyPair();

    assertEquals(ec.getPublic(), validator.validate(sha3));
    assertEquals(rsaKeys.getPublic(), validator.validate(CsrValidatorTest.csr(rsaKeys, "SHA256withRSA")));
    assertEquals(0, counting.verified(), "neither SHA3-256 ECDSA nor RSA is offered by the counting provider");
  }

  @Test
  void theNativeProviderChecksEcdsaAndRsaAndLeavesTheRestToBouncyCastle() throws Exception {
    CsrValidator validator = new CsrValidator(SignatureProvider.select(Choice.NATIVE));
    assertTrue(validator.signatureProvider().isNative());
    // The names the check looks up in the provider in force (BouncyCastle's for the signature).
    java.security.Provider provider = validator.signatureProvider().provider();
    for (String algorithm : List.of("SHA256WITHECDSA", "SHA384WITHECDSA", "SHA256WITHRSA")) {
      assertSame(provider, java.security.Signature.getInstance(algorithm, provider).getProvider());
    }
    java.security.KeyFactory.getInstance("EC", provider);
    java.security.KeyFactory.getInstance("RSA", provider);
    KeyPair p256 = CsrValidatorTest.ecKeys("secp256r1");
    KeyPair p384 = CsrValidatorTest.ecKeys("secp384r1");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(3072);
    KeyPair rsaKeys = rsa.generateKeyPair();
    byte[] sha3 = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), p256.getPublic())
        .build(new JcaContentSignerBuilder("SHA3-256withECDSA").setProvider(BouncyCastle.PROVIDER).build(p256.getPrivate()))
        .getEncoded();

    assertEquals(p256.getPublic(), validator.validate(CsrValidatorTest.csr(p256, "SHA256withECDSA")));
    assertEquals(p384.getPublic(), validator.validate(CsrValidatorTest.csr(p384, "SHA384withECDSA")));
    assertEquals(rsaKeys.getPublic(), validator.validate(CsrValidatorTest.csr(rsaKeys, "SHA256withRSA")));
    byte[] pss = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), rsaKeys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withRSAandMGF1").setProvider(BouncyCastle.PROVIDER)
            .build(rsaKeys.getPrivate()))
        .getEncoded();
    assertEquals(rsaKeys.getPublic(), validator.validate(pss));
    assertEquals(p256.getPublic(), validator.validate(sha3));
    KeyPair other = CsrValidatorTest.ecKeys("secp256r1");
    byte[] foreign = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), p256.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(other.getPrivate()))
        .getEncoded();
    CsrRejectedException refused = assertThrows(CsrRejectedException.class, () -> validator.validate(foreign));
    assertEquals("CSR signature does not verify with its public key", refused.getMessage());
  }

  @Test
  void certificatesAreSignedByTheProviderInForceWithItsOwnKeyObject() throws Exception {
    CaHierarchy ca = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, NOW, random);

    CertificateIssuer nativeIssuer = issuer(ca, SignatureProvider.select(Choice.NATIVE));
    assertEquals("AmazonCorrettoCryptoProvider", nativeIssuer.signingProvider().getName());
    assertTrue(nativeIssuer.signingKey().getClass().getName().startsWith("com.amazon.corretto."),
        nativeIssuer.signingKey().getClass().getName());
    verifies(nativeIssuer, ca);

    CertificateIssuer jdkIssuer = issuer(ca, SignatureProvider.jdk());
    assertSame(BouncyCastle.PROVIDER, jdkIssuer.signingProvider());
    assertTrue(jdkIssuer.signingKey().getClass().getName().startsWith("org.bouncycastle."));
    verifies(jdkIssuer, ca);

    CertificateIssuer countingIssuer = issuer(ca, countingSelection);
    assertSame(counting, countingIssuer.signingProvider());
    verifies(countingIssuer, ca);
    assertEquals(1, counting.signed());
  }

  @Test
  void anRsaIntermediateSignsNativelyAndWithBouncyCastleWhereTheProviderLacksRsa() throws Exception {
    CaHierarchy ca = CaHierarchy.create(DOMAIN, KeyAlgorithm.RSA_3072, NOW, random);

    CertificateIssuer nativeIssuer = issuer(ca, SignatureProvider.select(Choice.NATIVE));
    assertEquals("AmazonCorrettoCryptoProvider", nativeIssuer.signingProvider().getName());
    verifies(nativeIssuer, ca);

    CertificateIssuer countingIssuer = issuer(ca, countingSelection);
    assertSame(BouncyCastle.PROVIDER, countingIssuer.signingProvider());
    verifies(countingIssuer, ca);
  }

  @Test
  void chainsAreVerifiedByTheProviderInForce() {
    CaHierarchy ca = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, NOW, random);
    IssuedCertificate leaf = issuer(ca, SignatureProvider.jdk())
        .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW);
    ChainVerifier verifier = new ChainVerifier(new TrustBundle(List.of(ca.root())), countingSelection);

    ChainCheck check = verifier.verify(leaf.leaf(), List.of(ca.intermediate().certificate()), NOW);

    assertInstanceOf(ChainCheck.Valid.class, check, check.toString());
    assertTrue(counting.verified() >= 2, "the leaf's and the intermediate's signatures: " + counting.verified());
  }

  private CertificateIssuer issuer(CaHierarchy ca, SignatureProvider signatures) {
    return new CertificateIssuer(ca.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random,
        signatures);
  }

  private void verifies(CertificateIssuer issuer, CaHierarchy ca) throws Exception {
    X509Certificate leaf = issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW).leaf();
    leaf.verify(ca.intermediate().certificate().getPublicKey());
  }
}

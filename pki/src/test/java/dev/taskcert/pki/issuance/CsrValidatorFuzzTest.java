package dev.taskcert.pki.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.AlgorithmParameters;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link CsrValidator#validate}, which reads DER straight from the Enroll and Renew RPCs: it
 * refuses with {@link CsrRejectedException} and nothing else, and every key it accepts is one the
 * policy allows (EC on P-256 or P-384, or RSA of at least {@value CsrValidator#MIN_RSA_BITS}
 * bits). Seeds are real requests, accepted and refused, so that mutations start from valid DER.
 */
class CsrValidatorFuzzTest {
  private static final CsrValidator VALIDATOR = new CsrValidator();
  private static final List<ECParameterSpec> ALLOWED_CURVES = List.of(curve("secp256r1"), curve("secp384r1"));

  @MethodSource("requests")
  @FuzzTest
  void refusesWithCsrRejectedOnlyAndAcceptsOnlyPolicyKeys(byte[] der) {
    PublicKey key;
    try {
      key = VALIDATOR.validate(der);
    } catch (CsrRejectedException refused) {
      return;
    }
    if (key instanceof ECPublicKey ec) {
      assertTrue(ALLOWED_CURVES.stream().anyMatch(allowed -> sameCurve(allowed, ec.getParams())),
          "accepted an EC key on another curve: " + ec.getParams());
    } else if (key instanceof RSAPublicKey rsa) {
      assertTrue(rsa.getModulus().bitLength() >= CsrValidator.MIN_RSA_BITS
              && rsa.getModulus().bitLength() <= CsrValidator.MAX_RSA_BITS,
          "accepted a " + rsa.getModulus().bitLength() + "-bit RSA key");
    } else {
      fail("accepted a key of type " + key.getAlgorithm());
    }
  }

  /** A seed: a request, the key it was signed with, and whether the policy allows that key. */
  private record Seed(byte[] der, PublicKey key, boolean allowed) {}

  private static List<Seed> seeds() throws Exception {
    KeyPair p256 = keys("EC", new ECGenParameterSpec("secp256r1"));
    KeyPair p384 = keys("EC", new ECGenParameterSpec("secp384r1"));
    KeyPair p521 = keys("EC", new ECGenParameterSpec("secp521r1"));
    KeyPair rsa3072 = keys("RSA", 3072);
    KeyPair rsa1024 = keys("RSA", 1024);
    KeyPair ed25519 = keys("Ed25519", null);
    return List.of(
        new Seed(csr(p256, "SHA256withECDSA", false), p256.getPublic(), true),
        new Seed(csr(p256, "SHA256withECDSA", true), p256.getPublic(), true),
        new Seed(csr(p384, "SHA384withECDSA", false), p384.getPublic(), true),
        new Seed(csr(p521, "SHA512withECDSA", false), p521.getPublic(), false),
        new Seed(csr(rsa3072, "SHA256withRSA", false), rsa3072.getPublic(), true),
        new Seed(csr(rsa1024, "SHA256withRSA", false), rsa1024.getPublic(), false),
        new Seed(csr(ed25519, "Ed25519", false), ed25519.getPublic(), false));
  }

  /** Valid requests the validator accepts, and some it must refuse, as starting points. */
  static Stream<byte[]> requests() throws Exception {
    return seeds().stream().map(Seed::der);
  }

  /**
   * The other side of the property: each allowed seed is accepted with the very key it was signed
   * with, and each other seed refused, so a validator refusing everything fails here.
   */
  @Test
  void acceptsTheAllowedSeedsWithTheirOwnKeyAndRefusesTheOthers() throws Exception {
    for (Seed seed : seeds()) {
      if (seed.allowed()) {
        assertArrayEquals(seed.key().getEncoded(), VALIDATOR.validate(seed.der()).getEncoded(), seed.key().toString());
      } else {
        assertThrows(CsrRejectedException.class, () -> VALIDATOR.validate(seed.der()), seed.key().getAlgorithm());
      }
    }
  }

  private static byte[] csr(KeyPair keys, String signatureAlgorithm, boolean withExtensions) throws Exception {
    PKCS10CertificationRequestBuilder builder =
        new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=fuzz,O=taskcert"), keys.getPublic());
    if (withExtensions) {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(
          GeneralName.uniformResourceIdentifier, new DERIA5String("spiffe://taskcert.example/admin/root"))));
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
      builder.addAttribute(new ASN1ObjectIdentifier("1.2.840.113549.1.9.7"), new DERIA5String("challenge"));
    }
    return builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate())).getEncoded();
  }

  private static KeyPair keys(String algorithm, Object parameters) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if (parameters instanceof ECGenParameterSpec spec) {
      generator.initialize(spec);
    } else if (parameters instanceof Integer bits) {
      generator.initialize(bits);
    }
    return generator.generateKeyPair();
  }

  private static ECParameterSpec curve(String name) {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(name));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve()) && a.getGenerator().equals(b.getGenerator())
        && a.getOrder().equals(b.getOrder()) && a.getCofactor() == b.getCofactor();
  }
}

package dev.taskcert.pki.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
      assertTrue(rsa.getModulus().bitLength() >= CsrValidator.MIN_RSA_BITS,
          "accepted a " + rsa.getModulus().bitLength() + "-bit RSA key");
    } else {
      fail("accepted a key of type " + key.getAlgorithm());
    }
  }

  /** Valid requests the validator accepts, and some it must refuse, as starting points. */
  static Stream<byte[]> requests() throws Exception {
    KeyPair p256 = keys("EC", new ECGenParameterSpec("secp256r1"));
    return Stream.of(
        csr(p256, "SHA256withECDSA", false),
        csr(p256, "SHA256withECDSA", true),
        csr(keys("EC", new ECGenParameterSpec("secp384r1")), "SHA384withECDSA", false),
        csr(keys("EC", new ECGenParameterSpec("secp521r1")), "SHA512withECDSA", false),
        csr(keys("RSA", 3072), "SHA256withRSA", false),
        csr(keys("RSA", 1024), "SHA256withRSA", false),
        csr(keys("Ed25519", null), "Ed25519", false));
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

package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.server.authz.Principal;
import io.grpc.Attributes;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes how the execution port turns a client certificate into the caller's identity. Each input
 * is DER that the JDK's {@link CertificateFactory} reads as a certificate (as the TLS stack does
 * for a verified peer); {@link PeerIdentityFilter} must then either refuse it with its documented
 * {@link PeerIdentityFilter#IDENTITY_ERROR} or grant a principal, never throw, and grant only
 * to an end-entity certificate whose one URI SAN, decoded independently with BouncyCastle, is
 * exactly the principal's canonical SPIFFE ID.
 */
class PeerIdentityFilterFuzzTest {
  private static final SpiffeIdCodec CODEC = new SpiffeIdCodec(new TrustDomain("taskcert.example"));
  private static final PeerIdentityFilter FILTER = new PeerIdentityFilter(CODEC);
  private static final String TASK_ID =
      "spiffe://taskcert.example/ti/analytics_daily/scheduled__2026-11-25T00.3a00.3a00.2b00.3a00/extract/-1/1";
  private static final String ADMIN_ID = "spiffe://taskcert.example/admin/scheduler";

  @MethodSource("certificates")
  @FuzzTest
  void grantsOnlyTheOneCanonicalSpiffeIdOfAnEndEntityCertificate(byte[] der) throws Exception {
    X509Certificate certificate;
    try {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException notACertificate) {
      return;
    }
    Attributes decided = FILTER.withIdentityOf(new Certificate[] {certificate}, Attributes.EMPTY);
    Principal principal = decided.get(PeerIdentityFilter.PRINCIPAL);
    String error = decided.get(PeerIdentityFilter.IDENTITY_ERROR);
    if (principal == null) {
      assertNotNull(error, "neither a principal nor an identity error");
      assertFalse(error.isBlank());
      return;
    }
    assertEquals(null, error, "both a principal and an identity error");
    assertEquals(List.of(principal.spiffeId()), uriNames(certificate),
        "the principal is not the certificate's one URI SAN");
    assertEquals(principal.spiffeId(), CODEC.encode(principal.identity()), "the SPIFFE ID is not canonical");
    assertFalse(isCa(certificate), "granted an identity to a CA certificate");
    assertEquals(certificate.getSerialNumber().toString(16), principal.serialHex());
    assertEquals(certificate.getNotAfter().toInstant(), principal.notAfter());
  }

  /**
   * The other side of the property: the task and admin seeds are granted exactly their identity,
   * and each other seed is refused, so a filter refusing everything (or granting everything) fails here.
   */
  @Test
  void grantsTheTaskAndAdminSeedsTheirIdentityAndRefusesTheOthers() throws Exception {
    List<byte[]> seeds = certificates().toList();
    List<String> granted = new ArrayList<>();
    for (byte[] der : seeds) {
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      Attributes decided = FILTER.withIdentityOf(new Certificate[] {certificate}, Attributes.EMPTY);
      Principal principal = decided.get(PeerIdentityFilter.PRINCIPAL);
      String error = decided.get(PeerIdentityFilter.IDENTITY_ERROR);
      granted.add(principal != null ? principal.spiffeId() : error != null && !error.isBlank() ? "refused" : "neither");
    }
    assertEquals(List.of(TASK_ID, ADMIN_ID, "refused", "refused", "refused", "refused", "refused", "refused"),
        granted);
  }

  /**
   * The URI names of the subjectAltName extension, decoded by BouncyCastle from the extension's
   * bytes rather than by the JDK code the filter uses. Only the extension is decoded: the JDK
   * accepts some certificates whose other parts BouncyCastle finds malformed (such as an extension
   * wrapped in a SET), and those are the TLS layer's to refuse, not this filter's.
   */
  private static List<String> uriNames(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
    List<String> uris = new ArrayList<>();
    if (extension != null) {
      GeneralNames names = GeneralNames.getInstance(ASN1OctetString.getInstance(extension).getOctets());
      for (GeneralName name : names.getNames()) {
        if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
          uris.add(ASN1IA5String.getInstance(name.getName()).getString());
        }
      }
    }
    return uris;
  }

  /**
   * Whether BouncyCastle reads the basicConstraints extension as CA:true. One it cannot decode at
   * all (with a REAL where the BOOLEAN belongs, or empty) counts as no CA: the JDK, whose path
   * validation decides what may issue certificates, reads it as CA:false too.
   */
  private static boolean isCa(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.basicConstraints.getId());
    if (extension == null) {
      return false;
    }
    try {
      return BasicConstraints.getInstance(ASN1OctetString.getInstance(extension).getOctets()).isCA();
    } catch (RuntimeException undecodable) { // BouncyCastle throws even NullPointerException for some
      return false;
    }
  }

  /** Certificates the filter accepts (task and admin) and refuses (CA, no SAN, two SANs, foreign or odd IDs). */
  static Stream<byte[]> certificates() throws Exception {
    return Stream.of(
            leaf(false, TASK_ID),
            leaf(false, ADMIN_ID),
            leaf(true, "spiffe://taskcert.example/admin/scheduler"),
            leaf(false),
            leaf(false, "spiffe://taskcert.example/admin/a", "spiffe://taskcert.example/admin/b"),
            leaf(false, "spiffe://other.example/admin/scheduler"),
            leaf(false, "spiffe://taskcert.example/ti/d/r/t/01/1"),
            leafWithKeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature,
                "spiffe://taskcert.example/admin/scheduler"))
        .map(PeerIdentityFilterFuzzTest::encoded);
  }

  private static X509Certificate leaf(boolean ca, String... uris) throws Exception {
    CertificateBuilder builder = builder(uris);
    builder.extension(Extension.basicConstraints, true, new BasicConstraints(ca));
    return builder.sign();
  }

  private static X509Certificate leafWithKeyUsage(int usage, String... uris) throws Exception {
    return builder(uris).extension(Extension.keyUsage, true, new KeyUsage(usage)).sign();
  }

  private static CertificateBuilder builder(String... uris) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    CertificateBuilder builder = CertificateBuilder.selfSigned(
        new X500Name("CN=fuzz"), keys.getPublic(), keys.getPrivate(), now, now.plusSeconds(600), new SecureRandom());
    if (uris.length > 0) {
      GeneralName[] names = Stream.of(uris)
          .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri))
          .toArray(GeneralName[]::new);
      builder.extension(Extension.subjectAlternativeName, true, new GeneralNames(names));
    }
    return builder;
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.testsupport.Pkix;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;

/**
 * Intermediates carry a critical URI name constraint permitting only the trust domain, and the
 * JDK's PKIX validator applies it to the host of a {@code spiffe://} URI SAN: the CA's own leaves
 * pass, a leaf naming another trust domain under the same intermediate does not.
 */
class IntermediateNameConstraintsTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private final SecureRandom random = new SecureRandom();
  private final CaHierarchy hierarchy = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, NOW, random);
  private final CertificateIssuer issuer = new CertificateIssuer(
      hierarchy.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random);

  @Test
  void theIntermediatePermitsOnlyUrisOfTheTrustDomain() {
    X509Certificate intermediate = hierarchy.intermediate().certificate();
    assertNotNull(intermediate.getExtensionValue(Extension.nameConstraints.getId()));
    assertTrue(intermediate.getCriticalExtensionOIDs().contains(Extension.nameConstraints.getId()));
  }

  @Test
  void taskAdminAndServerCertificatesSatisfyTheConstraint() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    List<X509Certificate> roots = List.of(hierarchy.root());
    Pkix.validate(issuer.issueClient(keys.getPublic(), new TaskIdentity("dag", "run:1", "task", 3, 2), NOW).chain(),
        roots, NOW);
    Pkix.validate(issuer.issueAdmin(keys.getPublic(), new AdminIdentity("ops"), NOW, IssuancePolicy.MAX_LIFETIME)
        .chain(), roots, NOW);
    Pkix.validate(issuer.issueServer(keys.getPublic(), List.of("localhost", "taskcert.other.example"),
        List.of(java.net.InetAddress.getByName("127.0.0.1")), NOW, IssuancePolicy.MAX_LIFETIME).chain(), roots, NOW);
  }

  @Test
  void aLeafNamingAnotherTrustDomainFailsPkixValidation() {
    List<X509Certificate> roots = List.of(hierarchy.root());
    assertTrue(Pkix.accepts(leafWithUri("spiffe://taskcert.example/admin/ops"), roots, NOW));
    assertFalse(Pkix.accepts(leafWithUri("spiffe://other.example/admin/ops"), roots, NOW));
    assertFalse(Pkix.accepts(leafWithUri("spiffe://sub.taskcert.example/admin/ops"), roots, NOW),
        "the subtree names the host, not its subdomains");
  }

  @Test
  void aTrustDomainThatIsNoHostNameGetsNoConstraint() {
    assertTrue(CaHierarchy.uriNameConstraint(new TrustDomain("under_score.example")).isEmpty());
    CaHierarchy odd = CaHierarchy.create(new TrustDomain("under_score.example"), KeyAlgorithm.EC_P256, NOW, random);
    assertEquals(null, odd.intermediate().certificate().getExtensionValue(Extension.nameConstraints.getId()));
  }

  private List<X509Certificate> leafWithUri(String uri) {
    IntermediateCa ca = hierarchy.intermediate();
    X509Certificate leaf = CertificateBuilder.issuedBy(ca.certificate(), ca.privateKey(),
            new X500Name("O=taskcert,OU=admin"), KeyAlgorithm.EC_P256.generate(random).getPublic(),
            NOW.minusSeconds(60), NOW.plusSeconds(600), random)
        .extension(Extension.basicConstraints, true, new BasicConstraints(false))
        .extension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)))
        .sign();
    return List.of(leaf, ca.certificate());
  }
}

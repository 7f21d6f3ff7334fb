package dev.taskcert.pki.issuance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.identity.WorkloadIdentity;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.junit.jupiter.api.Test;

class CertificateIssuerTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final TaskIdentity TASK = new TaskIdentity("dag", "run:1", "task", 3, 2);

  private final SecureRandom random = new SecureRandom();
  private final CaHierarchy hierarchy = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, NOW, random);
  private final SpiffeIdCodec codec = new SpiffeIdCodec(DOMAIN);
  private final CertificateIssuer issuer =
      new CertificateIssuer(hierarchy.intermediate(), codec, IssuancePolicy.DEFAULT, random);

  @Test
  void issuesClientCertificateCarryingOnlyTheGivenIdentity() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    IssuedCertificate issued = issuer.issueClient(keys.getPublic(), TASK, NOW);
    X509Certificate leaf = issued.leaf();

    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    assertEquals(1, sans.size());
    List<?> san = sans.iterator().next();
    assertEquals(6, san.get(0));
    assertEquals(codec.encode(TASK), san.get(1));
    assertEquals(codec.encode(TASK), issued.spiffeId());

    assertEquals(-1, leaf.getBasicConstraints(), "CA:false");
    boolean[] keyUsage = leaf.getKeyUsage();
    assertTrue(keyUsage[0], "digitalSignature");
    for (int i = 1; i < keyUsage.length; i++) {
      assertTrue(!keyUsage[i], "only digitalSignature");
    }
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage(),
        "X.509-SVID: serverAuth and clientAuth");
    assertTrue(leaf.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")));
    assertNotNull(leaf.getExtensionValue("2.5.29.14"), "SKI");
    assertNotNull(leaf.getExtensionValue("2.5.29.35"), "AKI");
    assertEquals(keys.getPublic(), leaf.getPublicKey());
  }

  @Test
  void usesRandomPositiveSerialsOfAtLeast64Bits() {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    IssuedCertificate first = issuer.issueClient(keys.getPublic(), TASK, NOW);
    IssuedCertificate second = issuer.issueClient(keys.getPublic(), TASK, NOW);
    assertTrue(first.leaf().getSerialNumber().signum() > 0);
    assertTrue(first.leaf().getSerialNumber().bitLength() >= 64);
    assertTrue(!first.serialHex().equals(second.serialHex()));
    assertEquals(first.leaf().getSerialNumber().toString(16), first.serialHex());
  }

  @Test
  void backdatesNotBeforeAndAppliesLifetime() {
    IssuedCertificate issued = issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW);
    assertEquals(NOW.minusSeconds(60), issued.leaf().getNotBefore().toInstant());
    assertEquals(NOW.plus(Duration.ofMinutes(10)), issued.leaf().getNotAfter().toInstant());
    assertEquals(issued.notAfter(), issued.leaf().getNotAfter().toInstant());
  }

  @Test
  void theMaximumTaskLifetimeHoldsForTheWholeValidityWindowBackdateIncluded() {
    IssuancePolicy longest = new IssuancePolicy(IssuancePolicy.MAX_LIFETIME, Duration.ofSeconds(60));
    CertificateIssuer issuing = new CertificateIssuer(hierarchy.intermediate(), codec, longest, random);
    Instant now = NOW.plusMillis(750);
    X509Certificate leaf = issuing.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, now).leaf();
    Duration window = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    assertEquals(Duration.ofHours(24), window, "notBefore to notAfter of a PT24H certificate");
    assertEquals(NOW.plus(Duration.ofHours(24)), leaf.getNotAfter().toInstant());
    // Shorter lifetimes keep their full backdate.
    X509Certificate shorter = issuing.issueClient(
        KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW, Duration.ofHours(23).plusMinutes(59)).leaf();
    assertEquals(NOW.minusSeconds(60), shorter.getNotBefore().toInstant());
  }

  @Test
  void theMaximumAdminLifetimeHoldsForTheWholeValidityWindowBackdateIncluded() {
    X509Certificate leaf = issuer.issueAdmin(KeyAlgorithm.EC_P256.generate(random).getPublic(),
        new AdminIdentity("ops-alice"), NOW, IssuancePolicy.MAX_ADMIN_LIFETIME).leaf();
    assertEquals(IssuancePolicy.MAX_ADMIN_LIFETIME,
        Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()));
  }

  @Test
  void neverOutlivesTheIntermediate() {
    Instant intermediateEnd = hierarchy.intermediate().certificate().getNotAfter().toInstant();
    Instant nearEnd = intermediateEnd.minusSeconds(30);
    IssuedCertificate issued =
        issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, nearEnd);
    assertEquals(intermediateEnd, issued.notAfter());
    assertThrows(IllegalStateException.class,
        () -> issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, intermediateEnd.plusSeconds(1)));
  }

  @Test
  void refusesLifetimeAboveTheMaximum() {
    assertThrows(IllegalArgumentException.class, () -> issuer.issueClient(
        KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW, Duration.ofHours(25)));
    assertThrows(IllegalArgumentException.class, () -> new IssuancePolicy(Duration.ofDays(2), Duration.ZERO));
  }

  @Test
  void issuesAdminCertificatesForUpToThirtyDays() throws Exception {
    AdminIdentity admin = new AdminIdentity("ops-alice");
    IssuedCertificate issued = issuer.issueAdmin(
        KeyAlgorithm.EC_P256.generate(random).getPublic(), admin, NOW, Duration.ofDays(30));
    assertEquals(NOW.plus(Duration.ofDays(30)), issued.notAfter());
    assertEquals("spiffe://taskcert.example/admin/ops-alice", issued.spiffeId());
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), issued.leaf().getExtendedKeyUsage());
    assertTrue(issued.leaf().getSubjectX500Principal().getName().contains("OU=admin"));
  }

  @Test
  void refusesAdminLifetimesAboveThirtyDays() {
    assertThrows(IllegalArgumentException.class, () -> issuer.issueAdmin(
        KeyAlgorithm.EC_P256.generate(random).getPublic(), new AdminIdentity("ops-alice"), NOW,
        Duration.ofDays(30).plusSeconds(1)));
  }

  @Test
  void keepsTaskCertificatesCappedAtTwentyFourHours() {
    assertThrows(IllegalArgumentException.class, () -> issuer.issueClient(
        KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW, Duration.ofDays(30)));
  }

  @Test
  void chainValidatesToTheRootWithPkix() throws Exception {
    IssuedCertificate issued = issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, NOW);
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(hierarchy.root(), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(NOW));
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(issued.chain()), parameters);
    assertArrayEquals(hierarchy.intermediate().certificate().getEncoded(), issued.chain().get(1).getEncoded());
  }

  @Test
  void issuesServerCertificateForNamesAndAddresses() throws Exception {
    IssuedCertificate issued = issuer.issueServer(KeyAlgorithm.EC_P256.generate(random).getPublic(),
        List.of("localhost"), List.of(java.net.InetAddress.getByName("127.0.0.1")), NOW, Duration.ofDays(30));
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), issued.leaf().getExtendedKeyUsage());
    assertEquals(2, issued.leaf().getSubjectAlternativeNames().size());
  }

  @Test
  void clientCertificatesAreTheOnesTheGeneralBuilderMakesFieldForField() throws Exception {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    for (WorkloadIdentity identity : List.of(TASK, new AdminIdentity("ops"))) {
      IssuedCertificate issued = issuer.issueClient(keys.getPublic(), identity, NOW, Duration.ofMinutes(10));
      X509Certificate leaf = issued.leaf();
      leaf.verify(hierarchy.intermediate().certificate().getPublicKey());
      assertEquals(new BigInteger(issued.serialHex(), 16), leaf.getSerialNumber());
      assertArrayEquals(issued.chainDer().get(0), leaf.getEncoded());
      assertArrayEquals(hierarchy.intermediate().certificate().getEncoded(), issued.chainDer().get(1));

      X509Certificate reference = CertificateBuilder.issuedBy(hierarchy.intermediate().certificate(),
              hierarchy.intermediate().privateKey(),
              new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "taskcert")
                  .addRDN(BCStyle.OU, identity instanceof TaskIdentity ? "task" : "admin").build(),
              keys.getPublic(), issued.notBefore(), issued.notAfter(), random)
          .extension(Extension.basicConstraints, true, new BasicConstraints(false))
          .extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .extension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .extension(Extension.subjectAlternativeName, false,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, codec.encode(identity))))
          .sign();
      TBSCertificate made = TBSCertificate.getInstance(leaf.getTBSCertificate());
      TBSCertificate expected = TBSCertificate.getInstance(reference.getTBSCertificate());
      assertEquals(expected.getVersion(), made.getVersion());
      assertEquals(expected.getSignature(), made.getSignature());
      assertEquals(expected.getIssuer(), made.getIssuer());
      assertArrayEquals(expected.getStartDate().getEncoded(), made.getStartDate().getEncoded());
      assertArrayEquals(expected.getEndDate().getEncoded(), made.getEndDate().getEncoded());
      assertArrayEquals(expected.getSubject().getEncoded(), made.getSubject().getEncoded());
      assertArrayEquals(expected.getSubjectPublicKeyInfo().getEncoded(), made.getSubjectPublicKeyInfo().getEncoded());
      assertArrayEquals(expected.getExtensions().getEncoded(), made.getExtensions().getEncoded(),
          "the same extensions, in the same order");
      assertEquals(reference.getSigAlgName(), leaf.getSigAlgName());
    }
  }
}

package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.pki.pem.EncryptedPem;
import dev.taskcert.pki.testsupport.Pkix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Intermediate rotation and root rollover, checked the way relying parties check: PKIX against the bundle. */
class RotationTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final TaskIdentity TASK = new TaskIdentity("dag", "run", "task", -1, 1);

  private final SecureRandom random = new SecureRandom();
  private final Instant start = Instant.now();

  @TempDir Path temp;
  private CaDirectory online;
  private RootKeyDirectory firstRoot;

  @BeforeEach
  void initializeWithOfflineRoot() throws Exception {
    KeyProtection protection = new KeyProtection.Encrypted(
        Passphrase.fromEnv("P", Map.of("P", "correct horse battery staple")), EncryptedPem.MIN_ITERATIONS);
    online = new CaDirectory(temp.resolve("ca"), protection, random);
    firstRoot = new RootKeyDirectory(temp.resolve("root-1"), protection, random);
    online.write(CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, start, random), firstRoot);
  }

  @Test
  void intermediateRotationKeepsLeavesOfTheOldIntermediateVerifiable() throws Exception {
    IntermediateCa before = online.loadIntermediate();
    IssuedCertificate oldLeaf = issue(before, start);

    Instant later = start.plus(Duration.ofMinutes(2)); // while the old leaf (10 minutes) is still valid
    IntermediateCa next = rotateIntermediate(firstRoot, later);
    Optional<Path> archived = online.installIntermediate(next);

    IntermediateCa after = online.loadIntermediate();
    assertArrayEquals(next.certificate().getEncoded(), after.certificate().getEncoded());
    assertFalse(before.certificate().equals(after.certificate()));
    assertEquals(
        online.path().resolve("intermediate-" + before.certificate().getSerialNumber().toString(16) + ".pem"),
        archived.orElseThrow());
    assertEquals(List.of(before.certificate()), online.loadRetiredIntermediates());

    List<X509Certificate> roots = online.loadTrustBundle().roots();
    IssuedCertificate newLeaf = issue(after, later);
    Pkix.validate(oldLeaf.chain(), roots, later.plusSeconds(60));
    Pkix.validate(newLeaf.chain(), roots, later.plusSeconds(60));
    assertEquals(after.certificate(), newLeaf.chain().get(1));
  }

  @Test
  void refusesToInstallAnIntermediateWhoseRootIsNotInTheBundle() throws Exception {
    RootCa stranger = CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P256, start, random);
    IntermediateCa foreign = CaHierarchy.createIntermediate(
        DOMAIN, stranger.certificate(), stranger.privateKey(), KeyAlgorithm.EC_P256, start, random);
    X509Certificate current = online.loadIntermediateCertificate();
    CaLoadException e = assertThrows(CaLoadException.class, () -> online.installIntermediate(foreign));
    assertTrue(e.getMessage().contains("not signed by any root"), e.getMessage());
    assertEquals(current, online.loadIntermediateCertificate());
    assertTrue(online.loadRetiredIntermediates().isEmpty());
  }

  @Test
  void bundleWithTwoRootsValidatesLeavesOfBothHierarchiesUntilTheOldRootIsRemoved() throws Exception {
    IssuedCertificate oldLeaf = issue(online.loadIntermediate(), start);
    X509Certificate oldRoot = online.loadTrustBundle().roots().get(0);

    // Step 1: a new root joins the bundle; the intermediate is unchanged.
    Instant rollover = start.plus(Duration.ofMinutes(5));
    RootKeyDirectory secondRoot = new RootKeyDirectory(temp.resolve("root-2"), online.keyProtection(), random);
    RootCa newRoot = CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P384, rollover, random);
    secondRoot.write(newRoot);
    online.writeTrustBundle(online.loadTrustBundle().with(newRoot.certificate()));
    assertEquals(List.of(oldRoot, newRoot.certificate()), online.loadTrustBundle().roots());

    // Step 2: the online intermediate moves to the new root.
    online.installIntermediate(rotateIntermediate(secondRoot, rollover));
    IssuedCertificate newLeaf = issue(online.loadIntermediate(), rollover);
    assertEquals(newRoot.certificate(), online.loadIntermediate().root());

    Instant overlap = rollover.plusSeconds(60);
    List<X509Certificate> both = online.loadTrustBundle().roots();
    Pkix.validate(oldLeaf.chain(), both, overlap);
    Pkix.validate(newLeaf.chain(), both, overlap);

    // Step 3: the old root leaves the bundle; its leaves stop validating, the new ones do not.
    online.writeTrustBundle(online.loadTrustBundle().without(CertificateFingerprint.of(oldRoot)));
    List<X509Certificate> onlyNew = online.loadTrustBundle().roots();
    assertEquals(List.of(newRoot.certificate()), onlyNew);
    assertThrows(CertPathValidatorException.class, () -> Pkix.validate(oldLeaf.chain(), onlyNew, overlap));
    Pkix.validate(newLeaf.chain(), onlyNew, overlap);

    ChainCheck check = new ChainVerifier(online.loadTrustBundle())
        .verify(oldLeaf.leaf(), online.loadRetiredIntermediates(), overlap);
    assertFalse(check.ok());
    assertTrue(((ChainCheck.Invalid) check).reason().contains(oldRoot.getSubjectX500Principal().getName()),
        check.toString());
  }

  @Test
  void replacingARootKeptOnlineArchivesTheOldPairUnderItsSerial() throws Exception {
    RootKeyDirectory inline = new RootKeyDirectory(temp.resolve("inline"), KeyProtection.none(), random);
    RootCa first = CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P256, start, random);
    inline.write(first);
    assertThrows(IOException.class, () -> inline.write(first));

    RootCa second = CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P256, start.plusSeconds(1), random);
    List<Path> archived = inline.replace(second);
    String serial = first.certificate().getSerialNumber().toString(16);
    assertEquals(List.of(inline.path().resolve("root-" + serial + ".pem"),
        inline.path().resolve("root-key-" + serial + ".pem")), archived);
    assertTrue(archived.stream().allMatch(Files::exists));
    assertEquals(second.certificate(), inline.load().certificate());
  }

  @Test
  void bundleEditsRefuseWhatWouldLeaveItUnusable() throws Exception {
    TrustBundle bundle = online.loadTrustBundle();
    X509Certificate root = bundle.roots().get(0);
    assertThrows(IllegalArgumentException.class, () -> bundle.without(CertificateFingerprint.of(root)));
    assertThrows(IllegalArgumentException.class, () -> bundle.with(online.loadIntermediateCertificate()));
    assertTrue(bundle.with(root) == bundle, "adding a root already present changes nothing");
    assertEquals(CertificateFingerprint.of(root),
        CertificateFingerprint.parse(CertificateFingerprint.of(root).hex().toUpperCase().replaceAll("(..)(?!$)", "$1:")));
  }

  private IntermediateCa rotateIntermediate(RootKeyDirectory rootKeys, Instant at) throws Exception {
    RootCa root = rootKeys.load();
    return CaHierarchy.createIntermediate(
        CaHierarchy.trustDomainOf(root.certificate()), root.certificate(), root.privateKey(),
        KeyAlgorithm.EC_P256, at, random);
  }

  private IssuedCertificate issue(IntermediateCa ca, Instant at) {
    CertificateIssuer issuer = new CertificateIssuer(ca, new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random);
    return issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), TASK, at);
  }
}

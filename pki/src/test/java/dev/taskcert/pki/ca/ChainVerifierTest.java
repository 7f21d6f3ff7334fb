package dev.taskcert.pki.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {
  private static final TrustDomain DOMAIN = new TrustDomain("taskcert.example");
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private final SecureRandom random = new SecureRandom();
  private final CaHierarchy hierarchy = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, NOW, random);
  private final ChainVerifier verifier = new ChainVerifier(new TrustBundle(List.of(hierarchy.root())));
  private final IssuedCertificate leaf =
      new CertificateIssuer(hierarchy.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random)
          .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), new TaskIdentity("d", "r", "t", -1, 1), NOW);

  @Test
  void acceptsALeafWhoseIntermediateIsSuppliedSeparately() {
    ChainCheck check = verifier.verify(leaf.leaf(), List.of(hierarchy.intermediate().certificate()), NOW);
    ChainCheck.Valid valid = assertInstanceOf(ChainCheck.Valid.class, check);
    assertEquals(leaf.chain(), valid.path());
    assertEquals(hierarchy.root(), valid.root());
  }

  @Test
  void explainsAMissingIntermediate() {
    ChainCheck check = verifier.verify(leaf.leaf(), List.of(), NOW);
    assertFalse(check.ok());
    assertTrue(((ChainCheck.Invalid) check).reason().contains("neither a root of the trust bundle"), check.toString());
  }

  @Test
  void explainsAnExpiredLeaf() {
    ChainCheck check = verifier.verify(
        leaf.leaf(), List.of(hierarchy.intermediate().certificate()), NOW.plus(Duration.ofHours(1)));
    assertFalse(check.ok());
    assertTrue(((ChainCheck.Invalid) check).reason().contains("validity check failed"), check.toString());
  }

  @Test
  void namesARootThatIsNotTrusted() {
    ChainVerifier strangers = new ChainVerifier(new TrustBundle(
        List.of(CaHierarchy.createRoot(DOMAIN, KeyAlgorithm.EC_P256, NOW, random).certificate())));
    ChainCheck check = strangers.verify(
        leaf.leaf(), List.of(hierarchy.intermediate().certificate(), hierarchy.root()), NOW);
    assertTrue(((ChainCheck.Invalid) check).reason().contains("which is not in the trust bundle"), check.toString());
  }

  @Test
  void acceptsARootOfTheBundleItself() {
    assertTrue(verifier.verify(hierarchy.root(), List.of(), NOW).ok());
  }
}

package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.DistrustedIntermediates;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.crypto.BouncyCastle;
import dev.taskcert.pki.crypto.CountingProvider;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.CertificateBuilder;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.metrics.TestMetrics;
import dev.taskcert.server.pki.CaState;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.util.List;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client trust manager checks signatures through the provider in force, checks a remembered
 * intermediate's signature once per CA state, and still checks everything else on every handshake.
 * Counting is done by a provider that counts the signatures it checks.
 *
 * <p>Chains are presented as BouncyCastle's certificate objects, a new one for every handshake, which
 * remember nothing. (The JDK's certificate factory hands out one shared object per DER from a cache of
 * its own, whose memory of a verified signature is keyed by the verifying key and provider; a TLS
 * stack that parses with it may get that sharing by chance, never by bound or by bundle.)
 */
class CountingTrustManagerTest {
  private static final TrustDomain DOMAIN = new TrustDomain("trust-manager.example");
  private static final String COUNTING = "CountingForTrustManagerTest";

  private final SecureRandom random = new SecureRandom();
  private final Instant now = Instant.now();
  private final CaHierarchy ca = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random);
  private final CertificateIssuer issuer =
      new CertificateIssuer(ca.intermediate(), new SpiffeIdCodec(DOMAIN), IssuancePolicy.DEFAULT, random,
          SignatureProvider.jdk());
  private final CountingProvider counting = new CountingProvider(COUNTING, Security.getProvider("SunEC"));
  private final SignatureProvider signatures = SignatureProvider.select(SignatureProvider.Choice.NATIVE, () -> counting);
  private final AtomicReference<CaState.Snapshot> state =
      new AtomicReference<>(snapshot(new TrustBundle(List.of(ca.root())), DistrustedIntermediates.none()));
  private final CountingTrustManager manager = new CountingTrustManager(state::get,
      new HandshakeRefusals(TestMetrics.create(SignatureProvider.jdk()), Clock.systemUTC(), SignatureProvider.jdk()), signatures);

  @AfterEach
  void unregister() {
    Security.removeProvider(COUNTING);
  }

  private CaState.Snapshot snapshot(TrustBundle bundle, DistrustedIntermediates distrusted) {
    return new CaState.Snapshot(ca.intermediate(), bundle, issuer, null, distrusted, "test");
  }

  /** A new task's chain as a TLS stack may hand it over: every certificate a new object. */
  private X509Certificate[] presentedChain() throws Exception {
    X509Certificate leaf = issuer.issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(),
        new TaskIdentity("dag", "run", "task", -1, 1), now).leaf();
    return new X509Certificate[] {reparsed(leaf), reparsed(ca.intermediate().certificate())};
  }

  private static X509Certificate reparsed(X509Certificate certificate) throws Exception {
    return parsed(certificate.getEncoded());
  }

  private static X509Certificate parsed(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509", BouncyCastle.PROVIDER)
        .generateCertificate(new ByteArrayInputStream(der));
  }

  /** Signatures checked by one handshake's verification of {@code chain}. */
  private int verificationsFor(X509Certificate[] chain) throws CertificateException {
    int before = counting.verified();
    manager.checkClientTrusted(chain, "EC");
    return counting.verified() - before;
  }

  @Test
  void aRememberedIntermediateIsNotVerifiedAgainstItsRootAgain() throws Exception {
    assertEquals(2, verificationsFor(presentedChain()), "first handshake: the leaf and the intermediate");
    assertEquals(1, verificationsFor(presentedChain()), "then the new leaf only");
    assertEquals(1, verificationsFor(presentedChain()));

    PKIXBuilderParameters parameters =
        new PKIXBuilderParameters(Set.of(new TrustAnchor(ca.root(), null)), new X509CertSelector());
    parameters.setRevocationEnabled(false);
    parameters.setSigProvider(COUNTING);
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(new CertPathTrustManagerParameters(parameters));
    X509TrustManager plain = (X509TrustManager) factory.getTrustManagers()[0];
    int before = counting.verified();
    plain.checkClientTrusted(presentedChain(), "EC");
    plain.checkClientTrusted(presentedChain(), "EC");
    assertEquals(4, counting.verified() - before, "the JDK's manager alone checks both signatures every time");

    X509Certificate remembered = manager.verifier(state.get()).intermediates().asMap().values().iterator().next();
    assertEquals(ca.intermediate().certificate(), remembered);
    assertEquals(1, manager.verifier(state.get()).intermediates().estimatedSize());
  }

  @Test
  void aNewBundleDistrustListOrIntermediateForgetsWhatWasVerified() throws Exception {
    verificationsFor(presentedChain());
    CountingTrustManager.Verifier first = manager.verifier(state.get());
    assertEquals(1, first.intermediates().estimatedSize());

    state.set(snapshot(new TrustBundle(List.of(ca.root())), state.get().distrusted()));
    assertForgotten(first);

    CountingTrustManager.Verifier second = manager.verifier(state.get());
    state.set(snapshot(state.get().bundle(), new DistrustedIntermediates(List.of())));
    assertForgotten(second);

    CountingTrustManager.Verifier third = manager.verifier(state.get());
    CaState.Snapshot current = state.get();
    state.set(new CaState.Snapshot(CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random).intermediate(),
        current.bundle(), current.issuer(), null, current.distrusted(), "rotated"));
    assertForgotten(third);
  }

  /** The verifier in force now is a new one, remembering nothing until a chain passes under it. */
  private void assertForgotten(CountingTrustManager.Verifier previous) throws Exception {
    CountingTrustManager.Verifier now = manager.verifier(state.get());
    assertNotSame(previous, now);
    assertEquals(0, now.intermediates().estimatedSize());
    manager.checkClientTrusted(presentedChain(), "EC");
    assertSame(now, manager.verifier(state.get()));
    assertEquals(1, now.intermediates().estimatedSize());
  }

  @Test
  void theServerCredentialsAloneChangingKeepsWhatWasVerified() throws Exception {
    verificationsFor(presentedChain());
    CaState.Snapshot current = state.get();
    state.set(new CaState.Snapshot(current.intermediate(), current.bundle(), current.issuer(), null,
        current.distrusted(), current.fingerprint()));

    assertEquals(1, verificationsFor(presentedChain()));
  }

  @Test
  void everythingButTheRememberedSignatureIsStillCheckedEachTime() throws Exception {
    verificationsFor(presentedChain());

    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    X509Certificate serverOnly = CertificateBuilder.issuedBy(ca.intermediate().certificate(),
            ca.intermediate().privateKey(), new X500Name("O=taskcert"), keys.getPublic(), now.minusSeconds(60),
            now.plusSeconds(600), random)
        .extension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .sign();
    assertThrows(CertificateException.class, () -> manager.checkClientTrusted(
        new X509Certificate[] {reparsed(serverOnly), reparsed(ca.intermediate().certificate())}, "EC"),
        "the clientAuth EKU");

    X509Certificate expired = CertificateBuilder.issuedBy(ca.intermediate().certificate(),
            ca.intermediate().privateKey(), new X500Name("O=taskcert"), keys.getPublic(), now.minusSeconds(600),
            now.minusSeconds(60), random)
        .sign();
    assertThrows(CertificateException.class, () -> manager.checkClientTrusted(
        new X509Certificate[] {reparsed(expired), reparsed(ca.intermediate().certificate())}, "EC"),
        "the leaf's validity");

    X509Certificate[] tampered = presentedChain();
    byte[] der = tampered[0].getEncoded();
    der[der.length - 3] ^= 0x01;
    assertThrows(CertificateException.class,
        () -> manager.checkClientTrusted(new X509Certificate[] {parsed(der), tampered[1]}, "EC"),
        "the leaf's signature");

    state.set(snapshot(state.get().bundle(), DistrustedIntermediates.none().with(ca.intermediate().certificate())));
    CertificateException distrusted =
        assertThrows(CertificateException.class, () -> manager.checkClientTrusted(presentedChain(), "EC"));
    assertTrue(distrusted.getMessage().contains("distrusted"), distrusted.getMessage());
  }

  @Test
  void aChainThatFailsLeavesNothingRemembered() throws Exception {
    CaHierarchy stranger = CaHierarchy.create(DOMAIN, KeyAlgorithm.EC_P256, now, random);
    X509Certificate foreignLeaf = new CertificateIssuer(stranger.intermediate(), new SpiffeIdCodec(DOMAIN),
            IssuancePolicy.DEFAULT, random, SignatureProvider.jdk())
        .issueClient(KeyAlgorithm.EC_P256.generate(random).getPublic(), new TaskIdentity("d", "r", "t", -1, 1), now)
        .leaf();

    assertThrows(CertificateException.class, () -> manager.checkClientTrusted(
        new X509Certificate[] {reparsed(foreignLeaf), reparsed(stranger.intermediate().certificate())}, "EC"));

    assertEquals(0, manager.verifier(state.get()).intermediates().estimatedSize());
  }

  @Test
  void withTheJdkProviderTheCacheStillServes() throws Exception {
    CountingTrustManager jdk = new CountingTrustManager(state::get,
        new HandshakeRefusals(TestMetrics.create(SignatureProvider.jdk()), Clock.systemUTC(), SignatureProvider.jdk()), SignatureProvider.jdk());
    jdk.checkClientTrusted(presentedChain(), "EC");
    X509Certificate remembered = jdk.verifier(state.get()).intermediates().asMap().values().iterator().next();
    jdk.checkClientTrusted(presentedChain(), "EC");

    assertSame(remembered, jdk.verifier(state.get()).intermediates().asMap().values().iterator().next());
    assertEquals(0, counting.verified(), "the JDK's own providers checked those");
  }
}

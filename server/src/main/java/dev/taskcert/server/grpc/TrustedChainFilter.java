package dev.taskcert.server.grpc;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.server.pki.CaState;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import jakarta.inject.Inject;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Checks, on every new connection, that the client's chain still leads to a root of the trust
 * bundle in force and through no distrusted intermediate. The handshake verifies the chain only
 * when the TLS session is new: a resumed session brings back a chain verified earlier, possibly
 * under a root since removed. So the chain the client presented is verified again here, by PKIX
 * path building against the current roots only, and the root is the anchor that path actually ends
 * at, never just the last certificate the client sent (which a client may have appended). A chain
 * that fails loses its {@link PeerIdentityFilter#PRINCIPAL}, and every call on the connection is
 * then refused as UNAUTHENTICATED; one that passes gets its {@link #VERIFIED_PATH}, against which
 * the {@link FrontDoor} checks the distrust list on every call. Register it after {@link
 * PeerIdentityFilter}.
 *
 * <p>Validity is checked at the current time, clamped into the leaf's own window: the leaf's expiry
 * is the {@link FrontDoor}'s to report, per call. Answers are remembered per CA snapshot, so a
 * reconnecting client costs a map lookup.
 */
public final class TrustedChainFilter extends ServerTransportFilter {
  /** The verified path: the leaf, the intermediates, and last the root it is anchored at. */
  public static final Attributes.Key<List<X509Certificate>> VERIFIED_PATH =
      Attributes.Key.create("taskcert.verified-path");

  /** More distinct chains than reconnect at once in practice; beyond it the memory starts over. */
  private static final int MAX_REMEMBERED = 1024;

  private final CaState ca;
  private final Clock clock;
  private final SignatureProvider signatures;
  private volatile Memory memory = new Memory(null, new ConcurrentHashMap<>());

  /** Answers for the chains seen under one snapshot of the CA. */
  private record Memory(CaState.Snapshot snapshot, Map<List<Certificate>, Verdict> verdicts) {}

  /** A verified path, or why the chain does not verify now. */
  private record Verdict(List<X509Certificate> path, String refusal) {}

  @Inject
  TrustedChainFilter(CaState ca, Clock clock, SignatureProvider signatures) {
    this.ca = ca;
    this.clock = clock;
    this.signatures = signatures;
  }

  @Override
  public Attributes transportReady(Attributes attributes) {
    if (attributes.get(PeerIdentityFilter.PRINCIPAL) == null) {
      return attributes;
    }
    SSLSession session = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return refused(attributes, "no verified client certificate");
    }
    Verdict verdict = verdict(List.of(chain));
    if (verdict.refusal() != null) {
      return refused(attributes, verdict.refusal());
    }
    return attributes.toBuilder().set(VERIFIED_PATH, verdict.path()).build();
  }

  private static Attributes refused(Attributes attributes, String reason) {
    return attributes.toBuilder()
        .discard(PeerIdentityFilter.PRINCIPAL)
        .set(PeerIdentityFilter.IDENTITY_ERROR, reason)
        .build();
  }

  private Verdict verdict(List<Certificate> chain) {
    CaState.Snapshot snapshot = ca.current();
    Memory current = memory;
    if (current.snapshot() != snapshot || current.verdicts().size() > MAX_REMEMBERED) {
      current = new Memory(snapshot, new ConcurrentHashMap<>());
      memory = current;
    }
    return current.verdicts().computeIfAbsent(chain,
        presented -> verify(presented, snapshot, clock.instant(), signatures.certPathProvider()));
  }

  /**
   * Builds a path from the leaf to a current root out of the presented certificates, and checks it,
   * signatures with the provider named {@code sigProvider} (the JDK's own when {@code null}).
   */
  static Verdict verify(List<Certificate> presented, CaState.Snapshot snapshot, Instant now, String sigProvider) {
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate certificate : presented) {
      if (!(certificate instanceof X509Certificate x509)) {
        return new Verdict(null, "client certificate chain holds a certificate that is not X.509");
      }
      chain.add(x509);
    }
    if (chain.isEmpty()) {
      return new Verdict(null, "no verified client certificate");
    }
    X509Certificate leaf = chain.get(0);
    Optional<List<X509Certificate>> path = pathToCurrentRoot(chain, snapshot, clamp(now, leaf), sigProvider);
    if (path.isEmpty()) {
      return new Verdict(null, "client certificate chain does not lead to a root trusted now (a session resumed"
          + " after its root left the trust bundle?); connect again with a current certificate");
    }
    Optional<X509Certificate> distrusted = snapshot.distrusted().firstIn(path.get());
    if (distrusted.isPresent()) {
      return new Verdict(null, distrustedMessage(distrusted.get()));
    }
    return new Verdict(path.get(), null);
  }

  /** What a caller whose chain runs through a distrusted intermediate is told. */
  static String distrustedMessage(X509Certificate intermediate) {
    return "client certificate chain runs through intermediate " + intermediate.getSubjectX500Principal().getName()
        + " (serial " + intermediate.getSerialNumber().toString(16) + "), which the operator distrusted";
  }

  private static Optional<List<X509Certificate>> pathToCurrentRoot(
      List<X509Certificate> chain, CaState.Snapshot snapshot, Instant at, String sigProvider) {
    Set<TrustAnchor> anchors = snapshot.bundle().roots().stream()
        .map(root -> new TrustAnchor(root, null)).collect(Collectors.toSet());
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(chain.get(0));
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
      parameters.setRevocationEnabled(false);
      parameters.setSigProvider(sigProvider);
      parameters.setDate(Date.from(at));
      parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
      PKIXCertPathBuilderResult result =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(parameters);
      List<X509Certificate> path = new ArrayList<>();
      result.getCertPath().getCertificates().forEach(certificate -> path.add((X509Certificate) certificate));
      X509Certificate root = result.getTrustAnchor().getTrustedCert();
      if (!snapshot.bundle().contains(root)) {
        return Optional.empty(); // unreachable: the anchors are the bundle's roots
      }
      path.add(root);
      return Optional.of(List.copyOf(path));
    } catch (InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("a trust bundle always holds a root", e);
    } catch (GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  /** {@code now}, moved into the leaf's validity window if it lies outside. */
  private static Instant clamp(Instant now, X509Certificate leaf) {
    Instant notBefore = leaf.getNotBefore().toInstant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    return now.isBefore(notBefore) ? notBefore : now.isAfter(notAfter) ? notAfter : now;
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.server.pki.CaState;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import jakarta.inject.Inject;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Checks, on every new connection, that the client's chain still leads to a root of the trust
 * bundle in force. The handshake verifies the chain only when the TLS session is new: a resumed
 * session brings back a chain verified earlier, possibly under a root since removed. A chain that
 * no longer leads to a current root loses its {@link PeerIdentityFilter#PRINCIPAL}, and every call
 * on the connection is then refused as UNAUTHENTICATED. Register it after {@link PeerIdentityFilter}.
 *
 * <p>Only the link from the chain's last certificate to a root is checked (the rest was verified
 * when the session was established and cannot change), and answers are remembered per bundle, so
 * a connection costs a map lookup.
 */
public final class TrustedChainFilter extends ServerTransportFilter {
  /** More distinct chain tops than any CA hierarchy has; beyond it the memory starts over. */
  private static final int MAX_REMEMBERED = 64;

  private final CaState ca;
  private volatile Memory memory = new Memory(null, new ConcurrentHashMap<>());

  /** Answers for the chain tops seen under one snapshot of the CA. */
  private record Memory(CaState.Snapshot snapshot, Map<X509Certificate, Boolean> leadsToRoot) {}

  @Inject
  TrustedChainFilter(CaState ca) {
    this.ca = ca;
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
    if (!(chain[chain.length - 1] instanceof X509Certificate top) || !leadsToCurrentRoot(top)) {
      return refused(attributes, "client certificate chain does not lead to a root trusted now (a session"
          + " resumed after its root left the trust bundle?); connect again with a current certificate");
    }
    return attributes;
  }

  private static Attributes refused(Attributes attributes, String reason) {
    return attributes.toBuilder()
        .discard(PeerIdentityFilter.PRINCIPAL)
        .set(PeerIdentityFilter.IDENTITY_ERROR, reason)
        .build();
  }

  private boolean leadsToCurrentRoot(X509Certificate top) {
    CaState.Snapshot snapshot = ca.current();
    Memory current = memory;
    if (current.snapshot() != snapshot || current.leadsToRoot().size() > MAX_REMEMBERED) {
      current = new Memory(snapshot, new ConcurrentHashMap<>());
      memory = current;
    }
    return current.leadsToRoot().computeIfAbsent(top, certificate -> issuedByOneOf(certificate, snapshot.bundle().roots()));
  }

  private static boolean issuedByOneOf(X509Certificate certificate, List<X509Certificate> roots) {
    for (X509Certificate root : roots) {
      if (certificate.equals(root)) {
        return true;
      }
      if (certificate.getIssuerX500Principal().equals(root.getSubjectX500Principal())) {
        try {
          certificate.verify(root.getPublicKey());
          return true;
        } catch (GeneralSecurityException e) {
          // signed by another key of the same name: try the next root
        }
      }
    }
    return false;
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.pki.identity.InvalidIdentityException;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.WorkloadIdentity;
import dev.taskcert.server.authz.Principal;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import jakarta.inject.Inject;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Turns the client certificate verified by the TLS handshake into the connection's {@link
 * Principal}, once per connection. A certificate that verified but is a CA certificate, or does not
 * carry exactly one canonical SPIFFE ID of our trust domain, yields an error attribute instead,
 * which the {@link FrontDoor} turns into UNAUTHENTICATED on every call.
 */
public final class PeerIdentityFilter extends ServerTransportFilter {
  /** The caller's principal, present when the peer certificate carried a valid identity. */
  public static final Attributes.Key<Principal> PRINCIPAL = Attributes.Key.create("taskcert.principal");
  /** Why the peer has no principal, when it presented an unusable certificate. */
  public static final Attributes.Key<String> IDENTITY_ERROR = Attributes.Key.create("taskcert.identity-error");

  private static final int SAN_URI = 6;

  private final SpiffeIdCodec codec;

  @Inject
  PeerIdentityFilter(SpiffeIdCodec codec) {
    this.codec = codec;
  }

  @Override
  public Attributes transportReady(Attributes attributes) {
    SSLSession session = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return attributes.toBuilder().set(IDENTITY_ERROR, "connection is not TLS").build();
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return attributes.toBuilder().set(IDENTITY_ERROR, "no verified client certificate").build();
    }
    return withIdentityOf(chain, attributes);
  }

  /**
   * What {@link #transportReady} decides for the peer chain (leaf first) that the handshake
   * verified: {@code attributes} plus either {@link #PRINCIPAL} or {@link #IDENTITY_ERROR}.
   */
  Attributes withIdentityOf(Certificate[] chain, Attributes attributes) {
    try {
      return attributes.toBuilder().set(PRINCIPAL, principalOf(chain)).build();
    } catch (IdentityException e) {
      return attributes.toBuilder().set(IDENTITY_ERROR, e.getMessage()).build();
    }
  }

  private Principal principalOf(Certificate[] chain) throws IdentityException {
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new IdentityException("no X.509 client certificate");
    }
    requireEndEntity(leaf);
    String spiffeId = singleUriSan(leaf);
    WorkloadIdentity identity;
    try {
      identity = codec.parse(spiffeId);
    } catch (InvalidIdentityException e) {
      throw new IdentityException("client certificate identity is invalid: " + e.getMessage());
    }
    return new Principal(
        identity,
        spiffeId,
        leaf.getSerialNumber().toString(16),
        leaf.getNotBefore().toInstant(),
        leaf.getNotAfter().toInstant());
  }

  /**
   * PKIX accepts a CA certificate as the last link of a chain; a workload identity must not be one.
   * The leaf must say CA:false and, if it has key usage, allow signing and not certificate signing.
   */
  private static void requireEndEntity(X509Certificate leaf) throws IdentityException {
    if (leaf.getBasicConstraints() != -1) {
      throw new IdentityException("client certificate is a CA certificate (CA:true); only end-entity certificates identify workloads");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && (!keyUsage[0] || keyUsage.length > 5 && keyUsage[5])) {
      throw new IdentityException("client certificate key usage must allow digitalSignature and not keyCertSign");
    }
  }

  private static String singleUriSan(X509Certificate leaf) throws IdentityException {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IdentityException("client certificate has a malformed subjectAltName");
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    if (uris.size() != 1) {
      throw new IdentityException(
          "client certificate must carry exactly one URI SAN (a SPIFFE ID), found " + uris.size());
    }
    return uris.get(0);
  }

  private static final class IdentityException extends Exception {
    private static final long serialVersionUID = 1L;

    IdentityException(String message) {
      super(message);
    }
  }
}

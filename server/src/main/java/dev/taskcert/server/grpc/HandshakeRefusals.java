package dev.taskcert.server.grpc;

import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.text.LogText;
import dev.taskcert.server.metrics.ServerMetrics;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says why a client certificate failed the mutual-TLS handshake, so an operator sees "client sent
 * no intermediate" rather than a bare handshake failure: counted by reason in
 * {@code taskcert_tls_handshake_failures_total{port,reason}} and logged at most once a minute per
 * reason (with how many were not logged). A client that sends no certificate at all is refused
 * inside BoringSSL before the trust manager is asked: it is among the failed handshakes counted by
 * {@link #negotiationFailed} that no reason accounts for.
 */
public final class HandshakeRefusals implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HandshakeRefusals.class);
  /**
   * Where grpc-java reports each failed server handshake (at FINE, with the cause): the only place a
   * refusal inside BoringSSL, before any certificate reaches the trust manager, can be heard of.
   * Held here so the level set on it is not lost to garbage collection.
   */
  private static final java.util.logging.Logger NEGOTIATION =
      java.util.logging.Logger.getLogger("io.grpc.netty.ProtocolNegotiators");
  private static final Duration LOG_EVERY = Duration.ofMinutes(1);

  /** Why a presented chain was refused; the label is the metric's, the text the log's. */
  enum Reason {
    EMPTY_CHAIN("empty_chain", "the client presented an empty certificate chain"),
    NO_INTERMEDIATE("no_intermediate", "the client sent its leaf without the intermediate that issued it"),
    UNTRUSTED_ISSUER("untrusted_issuer", "the chain does not lead to a root of the trust bundle (a foreign or removed CA)"),
    EXPIRED("expired", "a certificate of the chain has expired"),
    NOT_YET_VALID("not_yet_valid", "a certificate of the chain is not valid yet (check the client's clock)"),
    NO_CLIENT_AUTH("no_client_auth", "the leaf's extended key usage does not allow client authentication"),
    DISTRUSTED_INTERMEDIATE("distrusted_intermediate", "the chain runs through an intermediate the operator distrusted"),
    OTHER("other", "the chain failed verification");

    final String label;
    final String text;

    Reason(String label, String text) {
      this.label = label;
      this.text = text;
    }
  }

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final ServerMetrics metrics;
  private final Clock clock;
  private final Map<Reason, Instant> lastLogged = new ConcurrentHashMap<>();
  private volatile Instant lastNegotiationLog;
  private final Map<Reason, AtomicLong> notLogged = new ConcurrentHashMap<>();

  private final java.util.logging.Handler negotiationFailures = new java.util.logging.Handler() {
    @Override
    public void publish(java.util.logging.LogRecord record) {
      if (record.getLevel().intValue() <= java.util.logging.Level.FINE.intValue()
          && String.valueOf(record.getMessage()).startsWith("TLS negotiation failed")) {
        negotiationFailed();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** The provider that checks a refused chain's signature, by name; {@code null} for the JDK's. */
  private final String signatureProvider;

  public HandshakeRefusals(ServerMetrics metrics, Clock clock, SignatureProvider signatures) {
    this.metrics = metrics;
    this.clock = clock;
    this.signatureProvider = signatures.certPathProvider();
  }

  /**
   * Starts hearing of every failed handshake (see {@link #negotiationFailed}).
   * In one JVM every server hears every server's: only tests run several.
   */
  public void listen() {
    negotiationFailures.setLevel(java.util.logging.Level.FINE);
    NEGOTIATION.addHandler(negotiationFailures);
    if (!NEGOTIATION.isLoggable(java.util.logging.Level.FINE)) {
      NEGOTIATION.setLevel(java.util.logging.Level.FINE);
    }
  }

  @Override
  public void close() {
    NEGOTIATION.removeHandler(negotiationFailures);
  }

  /**
   * Hears of every failed TLS handshake, on either port, from grpc-java's report of it (which
   * carries no cause): counted as {@code taskcert_tls_negotiation_failures_total}. Those the trust
   * manager did not classify failed before any client certificate was verified: the client
   * presented none, or offered no protocol version or cipher suite this server accepts. Logged at
   * most once a minute.
   */
  void negotiationFailed() {
    metrics.negotiationFailed();
    Instant now = clock.instant();
    Instant last = lastNegotiationLog;
    if (last != null && Duration.between(last, now).compareTo(LOG_EVERY) < 0) {
      return;
    }
    lastNegotiationLog = now;
    log.warn("a TLS handshake failed; unless taskcert_tls_handshake_failures_total counted it by reason, the client"
        + " presented no certificate (mutual-TLS port) or offered no protocol version or cipher suite this server"
        + " accepts (TLS 1.2 or 1.3 with ECDHE and AEAD); see taskcert_tls_negotiation_failures_total");
  }

  /** Counts and (rate-limited) logs a chain refused for running through a distrusted intermediate; answers why. */
  Reason distrusted(X509Certificate[] chain, Exception failure) {
    record(Reason.DISTRUSTED_INTERMEDIATE, chain, failure);
    return Reason.DISTRUSTED_INTERMEDIATE;
  }

  /** Counts and (rate-limited) logs a refused chain, with the verifier's own message; answers why it was refused. */
  Reason refused(X509Certificate[] chain, TrustBundle bundle, Exception failure) {
    Reason reason = classify(chain, bundle, clock.instant(), signatureProvider);
    record(reason, chain, failure);
    return reason;
  }

  private void record(Reason reason, X509Certificate[] chain, Throwable failure) {
    Instant now = clock.instant();
    metrics.handshakeFailed("execution", reason.label);
    Instant last = lastLogged.get(reason);
    if (last != null && Duration.between(last, now).compareTo(LOG_EVERY) < 0) {
      notLogged.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
      return;
    }
    lastLogged.put(reason, now);
    long suppressed = notLogged.computeIfAbsent(reason, r -> new AtomicLong()).getAndSet(0);
    X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
    log.warn("refused a client certificate at the TLS handshake: {}; subject {}, issuer {}, serial {}: {}{}",
        reason.text, leaf == null ? "-" : LogText.escape(leaf.getSubjectX500Principal()),
        leaf == null ? "-" : LogText.escape(leaf.getIssuerX500Principal()),
        leaf == null ? "-" : leaf.getSerialNumber().toString(16), LogText.escape(failure.getMessage()),
        suppressed == 0 ? "" : " (" + suppressed + " more for this reason in the last minute, not logged)");
  }

  /**
   * Why {@code chain} cannot be verified under {@code bundle} at {@code now}, checked in the order a
   * person would look; a signature is checked with the provider named {@code signatureProvider}
   * ({@code null}: the JDK's), so a refused chain costs no more than an accepted one.
   */
  static Reason classify(X509Certificate[] chain, TrustBundle bundle, Instant now, String signatureProvider) {
    if (chain == null || chain.length == 0) {
      return Reason.EMPTY_CHAIN;
    }
    for (X509Certificate certificate : chain) {
      if (now.isAfter(certificate.getNotAfter().toInstant())) {
        return Reason.EXPIRED;
      }
      if (now.isBefore(certificate.getNotBefore().toInstant())) {
        return Reason.NOT_YET_VALID;
      }
    }
    X509Certificate top = chain[chain.length - 1];
    List<X509Certificate> roots = bundle.roots();
    boolean anchored = roots.stream().anyMatch(root -> root.equals(top) || signs(root, top, signatureProvider));
    if (!anchored) {
      return chain.length == 1 && !top.getIssuerX500Principal().equals(top.getSubjectX500Principal())
          && roots.stream().noneMatch(root -> root.getSubjectX500Principal().equals(top.getIssuerX500Principal()))
          ? Reason.NO_INTERMEDIATE
          : Reason.UNTRUSTED_ISSUER;
    }
    try {
      List<String> usages = chain[0].getExtendedKeyUsage();
      if (usages != null && !usages.contains(CLIENT_AUTH)) {
        return Reason.NO_CLIENT_AUTH;
      }
    } catch (CertificateParsingException e) {
      return Reason.OTHER;
    }
    return Reason.OTHER;
  }

  private static boolean signs(X509Certificate issuer, X509Certificate subject, String signatureProvider) {
    if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
      return false;
    }
    try {
      if (signatureProvider == null) {
        subject.verify(issuer.getPublicKey());
      } else {
        subject.verify(issuer.getPublicKey(), signatureProvider);
      }
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}

package dev.taskcert.server.pki;

import dev.taskcert.server.metrics.ServerMetrics;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the CA's certificates and the server's own run out: exported as
 * {@code taskcert_certificate_expiry_seconds{certificate="root|intermediate|server"}} (seconds left;
 * the root is the first of the bundle to expire), and, for the root and the intermediate, warned
 * about in the log 30 and 7 days ahead, once per certificate and threshold. The server's own is
 * reissued automatically at half its lifetime ({@link CaReloader}), so it is not warned about.
 */
@Singleton
public final class CertificateExpiry {
  private static final Logger log = LoggerFactory.getLogger(CertificateExpiry.class);
  /** How far ahead to warn, nearest last. */
  static final Duration[] WARN_AHEAD = {Duration.ofDays(30), Duration.ofDays(7)};

  private final CaState ca;
  private final Clock clock;
  private final Map<String, Duration> warned = new ConcurrentHashMap<>();

  @Inject
  CertificateExpiry(CaState ca, Clock clock, ServerMetrics metrics) {
    this.ca = ca;
    this.clock = clock;
    GaugeWithCallback.builder()
        .name("taskcert_certificate_expiry_seconds")
        .help("Seconds until the certificate stops being valid: the first root of the bundle to expire, the intermediate, the server's own")
        .labelNames("certificate")
        .callback(callback -> notAfters().forEach((name, notAfter) ->
            callback.call(Duration.between(clock.instant(), notAfter).toSeconds(), name)))
        .register(metrics.registry());
  }

  /** The certificates watched, by name, with when they expire. */
  Map<String, Instant> notAfters() {
    CaState.Snapshot current = ca.current();
    Map<String, Instant> notAfters = new LinkedHashMap<>();
    current.bundle().roots().stream().map(X509Certificate::getNotAfter).min(java.util.Date::compareTo)
        .ifPresent(notAfter -> notAfters.put("root", notAfter.toInstant()));
    notAfters.put("intermediate", current.intermediate().certificate().getNotAfter().toInstant());
    notAfters.put("server", current.server().chain().get(0).getNotAfter().toInstant());
    return notAfters;
  }

  /** Logs a warning for each certificate that crossed a threshold since the last check. */
  public void warnIfNear() {
    Instant now = clock.instant();
    notAfters().forEach((name, notAfter) -> {
      if (name.equals("server")) {
        return;
      }
      Duration left = Duration.between(now, notAfter);
      for (Duration threshold : WARN_AHEAD) {
        Duration last = warned.get(name + "@" + notAfter);
        if (left.compareTo(threshold) <= 0 && (last == null || last.compareTo(threshold) > 0)) {
          warned.put(name + "@" + notAfter, threshold);
          log.warn("the {} certificate expires at {}, in {} day(s): {}", name, notAfter, Math.max(0, left.toDays()),
              advice(name));
        }
      }
    });
  }

  private static String advice(String name) {
    return switch (name) {
      case "root" -> "roll the root over (taskcert-ca rotate-root, see docs/operations.md)";
      case "intermediate" -> "rotate it (taskcert-ca rotate-intermediate); servers pick it up without a restart";
      default -> "it is reissued from the intermediate at half its lifetime";
    };
  }
}

package dev.taskcert.supervisor;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Where the server is, how far to trust it, and how calls and renewals behave.
 *
 * @param executionTarget host:port of the mutual-TLS Execution API
 * @param enrollmentTarget host:port of the enrollment (TLS) port
 * @param trustRoots roots the server's certificate must chain to (until enrollment returns the
 *     server's current bundle, which replaces them)
 * @param callTimeout deadline applied to every call
 * @param renewal when and how certificates are renewed
 */
public record SupervisorConfig(
    String executionTarget,
    String enrollmentTarget,
    List<X509Certificate> trustRoots,
    Duration callTimeout,
    RenewalPolicy renewal) {

  public SupervisorConfig {
    trustRoots = List.copyOf(trustRoots);
    if (trustRoots.isEmpty()) {
      throw new IllegalArgumentException("at least one trust root is required");
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("call timeout must be positive");
    }
  }

  /** A configuration with the default renewal policy. */
  public SupervisorConfig(
      String executionTarget, String enrollmentTarget, List<X509Certificate> trustRoots, Duration callTimeout) {
    this(executionTarget, enrollmentTarget, trustRoots, callTimeout, RenewalPolicy.DEFAULT);
  }

  /**
   * When certificates are renewed: at {@code fraction} of their lifetime, give or take
   * {@code jitter} of the lifetime, retrying failures with exponential backoff from
   * {@code initialBackoff} to {@code maxBackoff} (never past expiry).
   */
  public record RenewalPolicy(double fraction, double jitter, Duration initialBackoff, Duration maxBackoff) {
    /** Renew at two thirds of the lifetime, ±5 %, retrying from 200 ms up to 30 s. */
    public static final RenewalPolicy DEFAULT =
        new RenewalPolicy(2.0 / 3.0, 0.05, Duration.ofMillis(200), Duration.ofSeconds(30));

    public RenewalPolicy {
      // Written so that NaN fails every comparison and is rejected.
      if (!(fraction > 0 && fraction < 1 && jitter >= 0 && jitter < Math.min(fraction, 1 - fraction))) {
        throw new IllegalArgumentException("renewal fraction must be in (0, 1) with a smaller jitter");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("backoff must be positive and max >= initial");
      }
    }
  }
}

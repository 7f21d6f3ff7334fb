package dev.taskcert.pki.issuance;

import java.time.Duration;

/**
 * How long task certificates live. Admin and operator certificates are issued separately, with a
 * lifetime the operator chooses up to {@link #MAX_ADMIN_LIFETIME}.
 *
 * @param lifetime validity from the moment of issuance (default 10 minutes)
 * @param backdate how far not-before is set in the past to tolerate clock skew (default 60 s)
 */
public record IssuancePolicy(Duration lifetime, Duration backdate) {
  /** Upper bound on a task certificate's lifetime: a stolen key must not stay useful for long. */
  public static final Duration MAX_LIFETIME = Duration.ofHours(24);

  /** Upper bound on an admin or operator certificate's lifetime. */
  public static final Duration MAX_ADMIN_LIFETIME = Duration.ofDays(30);

  public static final IssuancePolicy DEFAULT =
      new IssuancePolicy(Duration.ofMinutes(10), Duration.ofSeconds(60));

  public IssuancePolicy {
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "certificate lifetime must be positive and at most " + MAX_LIFETIME + ", got " + lifetime);
    }
    if (backdate.isNegative() || backdate.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("backdate must be between 0 and 10 minutes, got " + backdate);
    }
  }
}

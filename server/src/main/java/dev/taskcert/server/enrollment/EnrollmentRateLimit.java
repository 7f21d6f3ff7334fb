package dev.taskcert.server.enrollment;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.refusal.Refusal;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The per-address rate limit of Enroll: one token bucket per remote address (an IPv6 /64), so that
 * one anonymous caller cannot take the enrollment port for itself. Buckets are kept for at most
 * {@value #MAX_ADDRESSES} addresses, each only until it would be full again, so memory stays bounded
 * whatever the number of callers; forgetting a bucket only forgets what has been refilled anyway.
 */
@Singleton
public final class EnrollmentRateLimit {
  /** Addresses whose buckets are kept at once. */
  static final int MAX_ADDRESSES = 100_000;

  private final ServerConfig.EnrollmentLimits limits;
  private final Cache<String, TokenBucket> buckets;

  @Inject
  EnrollmentRateLimit(ServerConfig config) {
    this.limits = config.enrollmentLimits();
    long refillNanos = limits.ratePerSecond() == 0 ? 0
        : Duration.ofSeconds(1).toNanos() * limits.burst() / limits.ratePerSecond();
    this.buckets = Caffeine.newBuilder()
        .maximumSize(MAX_ADDRESSES)
        .expireAfterAccess(Duration.ofNanos(refillNanos).plusSeconds(1))
        .build();
  }

  /**
   * Admits one enrollment from {@code peer}.
   *
   * @throws Refusal RESOURCE_EXHAUSTED when the address has used up its rate
   */
  public void admit(String peer) {
    if (limits.ratePerSecond() == 0) {
      return;
    }
    long now = System.nanoTime();
    if (!buckets.get(peer, address -> new TokenBucket(limits.ratePerSecond(), limits.burst(), now)).tryTake(now)) {
      throw Refusal.enrollment(Refusal.Kind.EXHAUSTED, "enrollment_rate",
          "too many enrollments from this address (at most " + limits.ratePerSecond() + " per second, "
              + limits.burst() + " at once); retry later",
          "rate limit of " + limits.ratePerSecond() + "/s (burst " + limits.burst() + ") exceeded");
    }
  }
}

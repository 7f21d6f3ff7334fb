package dev.taskcert.server.enrollment;

/**
 * A token bucket: up to {@code burst} takes at once, refilled at {@code ratePerSecond}. Time is
 * passed in as {@link System#nanoTime()} readings, so the bucket is exact and testable.
 */
final class TokenBucket {
  private final double tokensPerNano;
  private final double capacity;
  private double tokens;
  private long last;

  TokenBucket(int ratePerSecond, int burst, long nowNanos) {
    this.tokensPerNano = ratePerSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one token if there is one at {@code nowNanos}; returns whether it did. */
  synchronized boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}

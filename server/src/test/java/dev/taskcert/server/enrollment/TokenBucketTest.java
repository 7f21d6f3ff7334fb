package dev.taskcert.server.enrollment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void allowsTheBurstAtOnceThenTheRate() {
    long t = 42 * SECOND;
    TokenBucket bucket = new TokenBucket(2, 3, t);
    assertTrue(bucket.tryTake(t));
    assertTrue(bucket.tryTake(t));
    assertTrue(bucket.tryTake(t));
    assertFalse(bucket.tryTake(t), "the burst is spent");
    assertFalse(bucket.tryTake(t + SECOND / 4), "a quarter second refills half a token");
    assertTrue(bucket.tryTake(t + SECOND / 2), "half a second refills one");
    assertFalse(bucket.tryTake(t + SECOND / 2));
  }

  @Test
  void neverHoldsMoreThanTheBurst() {
    long t = 0;
    TokenBucket bucket = new TokenBucket(100, 2, t);
    t += 3600 * SECOND;
    assertTrue(bucket.tryTake(t));
    assertTrue(bucket.tryTake(t));
    assertFalse(bucket.tryTake(t), "an hour idle refills only up to the burst");
  }

  @Test
  void aClockReadingFromThePastTakesNothingBack() {
    long t = 10 * SECOND;
    TokenBucket bucket = new TokenBucket(1, 1, t);
    assertTrue(bucket.tryTake(t));
    assertFalse(bucket.tryTake(t - SECOND));
    assertTrue(bucket.tryTake(t + SECOND));
  }
}

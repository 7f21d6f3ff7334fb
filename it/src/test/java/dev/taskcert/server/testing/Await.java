package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, failing the test with what was awaited once time is up. */
public final class Await {
  private Await() {}

  /** Waits until {@code condition} holds, for at most {@code timeout}, checking every 20 ms. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout + " waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}

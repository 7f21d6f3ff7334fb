package dev.taskcert.supervisor.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RetriesTest {
  /** An RPC stand-in that fails with {@code status} its first {@code failures} times, then answers "ok". */
  private static final class CountingRpc implements Supplier<String> {
    private final Status status;
    private final int failures;
    private final AtomicInteger attempts = new AtomicInteger();

    CountingRpc(Status status, int failures) {
      this.status = status;
      this.failures = failures;
    }

    @Override
    public String get() {
      if (attempts.incrementAndGet() <= failures) {
        throw status.withDescription("attempt " + attempts.get()).asRuntimeException();
      }
      return "ok";
    }

    int attempts() {
      return attempts.get();
    }
  }

  @Test
  void idempotentCallsRetryUnavailableUpToThreeAttemptsThenThrowUnavailable() {
    CountingRpc rpc = new CountingRpc(Status.UNAVAILABLE, Integer.MAX_VALUE);
    TaskcertException e = assertThrows(TaskcertException.Unavailable.class, () -> Retries.call(true, rpc));
    assertEquals(Retries.ATTEMPTS, rpc.attempts());
    assertEquals(3, rpc.attempts());
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("attempt 3"), "the last failure is reported: " + e.getMessage());
  }

  @Test
  void idempotentCallsSucceedWhenTheServerComesBackWithinTheAttempts() {
    CountingRpc rpc = new CountingRpc(Status.UNAVAILABLE, 2);
    assertEquals("ok", Retries.call(true, rpc));
    assertEquals(3, rpc.attempts());
  }

  @Test
  void nonIdempotentCallsAreNeverRetried() {
    CountingRpc rpc = new CountingRpc(Status.UNAVAILABLE, 1);
    assertThrows(TaskcertException.Unavailable.class, () -> Retries.call(false, rpc));
    assertEquals(1, rpc.attempts());
  }

  @Test
  void permissionDeniedIsNeverRetried() {
    CountingRpc rpc = new CountingRpc(Status.PERMISSION_DENIED, 1);
    TaskcertException e = assertThrows(TaskcertException.PermissionDenied.class, () -> Retries.call(true, rpc));
    assertEquals(Status.Code.PERMISSION_DENIED, e.code());
    assertEquals(1, rpc.attempts());
  }

  @Test
  void onlyUnavailableIsRetriedNotOtherTransientCodes() {
    CountingRpc rpc = new CountingRpc(Status.DEADLINE_EXCEEDED, 1);
    TaskcertException e = assertThrows(TaskcertException.Unavailable.class, () -> Retries.call(true, rpc));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
    assertEquals(1, rpc.attempts());
  }

  @Test
  void aConnectionClosedUnderTheCallIsRetriedButAnotherUnknownIsNot() {
    // grpc-java's Netty transport reports a connection reset under a call it is writing as UNKNOWN
    // "channel closed", caused by ClosedChannelException: the server went away, as with UNAVAILABLE.
    CountingRpc closed = new CountingRpc(
        Status.UNKNOWN.withCause(new java.nio.channels.ClosedChannelException()), 2);
    assertEquals("ok", Retries.call(true, closed));
    assertEquals(3, closed.attempts());
    CountingRpc unknown = new CountingRpc(Status.UNKNOWN.withCause(new IllegalStateException("bug")), 1);
    assertThrows(TaskcertException.class, () -> Retries.call(true, unknown));
    assertEquals(1, unknown.attempts());
    CountingRpc nonIdempotent = new CountingRpc(
        Status.UNKNOWN.withCause(new java.nio.channels.ClosedChannelException()), 1);
    assertThrows(TaskcertException.class, () -> Retries.call(false, nonIdempotent));
    assertEquals(1, nonIdempotent.attempts());
  }

  @Test
  void anInterruptStopsRetryingAndStaysSet() {
    CountingRpc rpc = new CountingRpc(Status.UNAVAILABLE, Integer.MAX_VALUE);
    Thread.currentThread().interrupt();
    try {
      assertThrows(TaskcertException.Unavailable.class, () -> Retries.call(true, rpc));
      assertEquals(1, rpc.attempts());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }
}

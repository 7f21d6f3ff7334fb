package dev.taskcert.supervisor.client;

import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import io.grpc.StatusRuntimeException;
import java.util.function.Supplier;

/**
 * Runs one RPC, retrying only idempotent ones and only when the server was unreachable: up to
 * {@value #ATTEMPTS} attempts, 100 ms then 300 ms apart. Every other failure is thrown at once as a
 * {@link TaskcertException}.
 */
final class Retries {
  static final int ATTEMPTS = 3;
  private static final long[] PAUSES_MILLIS = {100, 300};

  private Retries() {}

  /**
   * Whether the call failed because the server could not be reached or went away mid-call:
   * {@code UNAVAILABLE}, or the {@code UNKNOWN} that grpc-java's Netty transport reports when the
   * connection is closed under a call it is writing (its cause then is a {@link ClosedChannelException}).
   */
  static boolean unreachable(Status status) {
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      return true;
    }
    if (status.getCode() != Status.Code.UNKNOWN) {
      return false;
    }
    for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof ClosedChannelException) {
        return true;
      }
    }
    return false;
  }

  static <T> T call(boolean idempotent, Supplier<T> rpc) {
    for (int attempt = 1; ; attempt++) {
      try {
        return rpc.get();
      } catch (StatusRuntimeException e) {
        boolean retry = idempotent && attempt < ATTEMPTS && unreachable(e.getStatus());
        if (!retry) {
          throw TaskcertException.from(e);
        }
        try {
          Thread.sleep(PAUSES_MILLIS[attempt - 1]);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw TaskcertException.from(e);
        }
      }
    }
  }
}

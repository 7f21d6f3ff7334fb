package dev.taskcert.supervisor.client;

import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.Supplier;

/**
 * Runs one RPC, retrying only idempotent ones and only when the server was unreachable
 * ({@code UNAVAILABLE}): up to {@value #ATTEMPTS} attempts, 100 ms then 300 ms apart. Every other
 * failure is thrown at once as a {@link TaskcertException}.
 */
final class Retries {
  static final int ATTEMPTS = 3;
  private static final long[] PAUSES_MILLIS = {100, 300};

  private Retries() {}

  static <T> T call(boolean idempotent, Supplier<T> rpc) {
    for (int attempt = 1; ; attempt++) {
      try {
        return rpc.get();
      } catch (StatusRuntimeException e) {
        boolean retry = idempotent && attempt < ATTEMPTS && e.getStatus().getCode() == Status.Code.UNAVAILABLE;
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

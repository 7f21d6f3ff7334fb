package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.function.Executable;

/** Asserts on the gRPC status a call fails with. */
public final class Statuses {
  private Statuses() {}

  /** Runs {@code call}, which must fail with a gRPC status, and returns that status. */
  public static Status statusOf(Executable call) {
    return assertThrows(StatusRuntimeException.class, call).getStatus();
  }

  /** Runs {@code call}, which must fail with a gRPC status, and returns its code. */
  public static Status.Code codeOf(Executable call) {
    return statusOf(call).getCode();
  }
}

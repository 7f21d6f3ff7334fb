package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskcert.supervisor.TaskcertException;
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

  /**
   * Runs {@code call}, which must fail with {@code expected} and leave every table of {@code env}'s
   * database (but the audit log) as it was; returns the status.
   */
  public static Status refusedWithoutChange(TestEnvironment env, Status.Code expected, Executable call)
      throws java.sql.SQLException {
    String before = DatabaseFingerprint.of(env);
    Status status = statusOf(call);
    assertEquals(expected, status.getCode(), status.toString());
    assertEquals(before, DatabaseFingerprint.of(env), "refused with " + status + " but changed the database");
    return status;
  }

  /**
   * Runs {@code call}, a call through the supervisor's client, which must fail with {@code type}
   * for {@code expected} and leave every table of {@code env}'s database (but the audit log) as it
   * was; returns the failure.
   */
  public static <T extends TaskcertException> T refusedWithoutChange(TestEnvironment env, Class<T> type,
      Status.Code expected, Executable call) throws java.sql.SQLException {
    String before = DatabaseFingerprint.of(env);
    T refused = assertThrows(type, call);
    assertEquals(expected, refused.code(), refused.getMessage());
    assertEquals(before, DatabaseFingerprint.of(env), "refused with " + refused.getMessage() + " but changed the database");
    return refused;
  }

  /** Runs {@code call}, which must fail with a gRPC status, and returns its code. */
  public static Status.Code codeOf(Executable call) {
    return statusOf(call).getCode();
  }

  /**
   * The messages of {@code failure} and of its causes, in lower case: where a failed handshake's
   * TLS alert is told (BoringSSL names it, e.g. {@code sslv3_alert_certificate_expired}).
   */
  public static String causeMessages(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      messages.append(cause.getMessage()).append(" / ");
    }
    return messages.toString().toLowerCase(java.util.Locale.ROOT);
  }
}

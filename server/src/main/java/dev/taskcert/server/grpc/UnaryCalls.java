package dev.taskcert.server.grpc;

import dev.taskcert.pki.identity.InvalidIdentityException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.function.Supplier;
import org.apache.ibatis.exceptions.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes a unary call from a body that returns the response or throws: status exceptions pass
 * through, an unreachable database becomes UNAVAILABLE, and anything unexpected becomes INTERNAL
 * with the details in the server log only.
 */
public final class UnaryCalls {
  private static final Logger log = LoggerFactory.getLogger(UnaryCalls.class);

  private UnaryCalls() {}

  /** Runs {@code body} and sends its result, or the mapped error, to {@code observer}. */
  public static <T> void respond(StreamObserver<T> observer, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      observer.onError(toStatus(e).asRuntimeException());
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  /**
   * The status a failure is reported with: status exceptions as they are, invalid identities as
   * INVALID_ARGUMENT, an unreachable database as UNAVAILABLE, anything else as INTERNAL (logged,
   * with no detail sent to the caller).
   */
  public static Status toStatus(RuntimeException e) {
    if (e instanceof StatusRuntimeException status) {
      return status.getStatus();
    }
    if (e instanceof InvalidIdentityException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    if (e instanceof PersistenceException && databaseUnreachable(e)) {
      log.warn("database unavailable during {}: {}", CallContext.method(), e.toString());
      return Status.UNAVAILABLE.withDescription("database unavailable; retry later");
    }
    log.error("unexpected error during {}", CallContext.method(), e);
    return Status.INTERNAL.withDescription("internal error");
  }

  /**
   * Whether a failure means the database could not be reached or went away: a transient or
   * recoverable SQL exception, a connection exception (SQLSTATE class 08) or an operator
   * intervention such as a shutdown (class 57P), anywhere in the cause chain.
   */
  static boolean databaseUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }
}

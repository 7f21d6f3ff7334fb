package dev.taskcert.server.grpc;

import dev.taskcert.pki.identity.InvalidIdentityException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
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
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    } catch (InvalidIdentityException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (PersistenceException e) {
      if (hasCause(e, SQLTransientException.class)) {
        log.warn("database unavailable during {}: {}", CallContext.method(), e.toString());
        observer.onError(
            Status.UNAVAILABLE.withDescription("database unavailable; retry later").asRuntimeException());
      } else {
        log.error("database error during {}", CallContext.method(), e);
        observer.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
      }
      return;
    } catch (RuntimeException e) {
      log.error("unexpected error during {}", CallContext.method(), e);
      observer.onError(Status.INTERNAL.withDescription("internal error").asRuntimeException());
      return;
    }
    observer.onNext(result);
    observer.onCompleted();
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}

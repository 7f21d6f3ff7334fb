package dev.taskcert.server.grpc;

import dev.taskcert.server.authz.CurrentCall;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * Completes a unary call from a body that returns the response. A body that throws on the call's
 * thread leaves the failure to {@link RefusalInterceptor}; one that runs on a thread of its own has
 * its failure mapped here, by the same {@link Refusals}.
 */
public final class UnaryCalls {
  private UnaryCalls() {}

  /** Runs {@code body} and sends its result to {@code observer}. */
  public static <T> void respond(StreamObserver<T> observer, Supplier<T> body) {
    T result = body.get();
    observer.onNext(result);
    observer.onCompleted();
  }

  /**
   * Runs {@code body} and completes the call with its result, for a body that runs on a thread of
   * its own, past the interceptors of the call: a failure becomes its status through {@code
   * refusals}, audited there as {@link RefusalInterceptor} would, with the admitted caller and
   * method of {@code call}. A caller that went away while the body ran is not answered.
   */
  public static <T> void respondOnOwnThread(StreamObserver<T> observer, Supplier<T> body, Refusals refusals,
      CurrentCall call) {
    try {
      T result;
      try {
        result = body.get();
      } catch (RuntimeException e) {
        observer.onError(refusals.toStatus(e, call.method(), call.callerId()).asRuntimeException());
        return;
      }
      observer.onNext(result);
      observer.onCompleted();
    } catch (StatusRuntimeException cancelled) {
      // The caller went away while the call was served; there is no one left to answer.
    }
  }
}

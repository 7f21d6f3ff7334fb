package dev.taskcert.server.grpc;

import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * Completes a unary call from a body that returns the response. A body that throws leaves the
 * failure to {@link RefusalInterceptor}, the one place failures become statuses.
 */
public final class UnaryCalls {
  private UnaryCalls() {}

  /** Runs {@code body} and sends its result to {@code observer}. */
  public static <T> void respond(StreamObserver<T> observer, Supplier<T> body) {
    T result = body.get();
    observer.onNext(result);
    observer.onCompleted();
  }
}

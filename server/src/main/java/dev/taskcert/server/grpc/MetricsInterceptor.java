package dev.taskcert.server.grpc;

import dev.taskcert.server.metrics.ServerMetrics;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import jakarta.inject.Inject;

/** Counts every completed RPC by full method name and status code. */
public final class MetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;

  @Inject
  MetricsInterceptor(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        metrics.rpcCompleted(method, status.getCode().name());
        super.close(status, trailers);
      }
    }, headers);
  }
}

package dev.taskcert.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Makes the RPC's method name available to service code on the enrollment port, where callers
 * have no certificate and so no {@link AuthenticationInterceptor} runs, so audit records name it.
 */
public final class MethodNameInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Context context =
        Context.current().withValue(CallContext.METHOD, call.getMethodDescriptor().getFullMethodName());
    return Contexts.interceptCall(context, call, headers, next);
  }
}

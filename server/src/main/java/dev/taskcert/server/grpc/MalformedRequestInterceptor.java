package dev.taskcert.server.grpc;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Answers a request message that does not parse (truncated, invalid UTF-8 in a string field, a
 * wire type that does not exist) with INVALID_ARGUMENT instead of grpc-java's default UNKNOWN
 * "Application error processing RPC", so a client sees that its input was at fault.
 *
 * <p>It works on services whose messages arrive as raw streams ({@link #strict}): the original
 * handler parses inside {@code onMessage}, which is all a unary handler does there, so a failure
 * from {@code onMessage} is a failure to parse. The call is then closed once and nothing more is
 * passed on.
 */
public final class MalformedRequestInterceptor implements ServerInterceptor {
  private MalformedRequestInterceptor() {}

  /** The service, receiving raw messages and refusing malformed ones with INVALID_ARGUMENT. */
  public static ServerServiceDefinition strict(BindableService service) {
    return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service.bindService()), new MalformedRequestInterceptor());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          if (!(message instanceof InputStream)) {
            throw e;
          }
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription(
              "request is not a valid " + call.getMethodDescriptor().getFullMethodName() + " message"), new Metadata());
        }
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!refused) {
          super.onReady();
        }
      }
    };
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.text.LogText;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import jakarta.inject.Inject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a call whose service code threw with the status {@link Refusals} gives it, audited there
 * when it is a security event. Runs inside the front door's context, so the refusal is recorded
 * with the admitted caller and method.
 */
public final class RefusalInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(RefusalInterceptor.class);

  private final Refusals refusals;
  private final CurrentCall current;

  @Inject
  RefusalInterceptor(Refusals refusals, CurrentCall current) {
    this.refusals = refusals;
    this.current = current;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException e) {
          fail(e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException e) {
          fail(e);
        }
      }

      private void fail(RuntimeException e) {
        try {
          call.close(refusals.toStatus(e, call.getMethodDescriptor().getFullMethodName(), current.callerId()),
              new Metadata());
        } catch (IllegalStateException alreadyClosed) {
          log.warn("{} failed after its call was closed: {}", call.getMethodDescriptor().getFullMethodName(),
              LogText.escape(e.toString()));
        }
      }
    };
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.server.audit.AuditLog;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;

/**
 * Admits a call only when its connection carries a principal and the certificate is valid now.
 * Expiry is checked per call, not per handshake, so a long-lived connection cannot outlive its
 * certificate. Refusals are UNAUTHENTICATED and audited.
 */
public final class AuthenticationInterceptor implements ServerInterceptor {
  private final Clock clock;
  private final AuditLog audit;

  @Inject
  AuthenticationInterceptor(Clock clock, AuditLog audit) {
    this.clock = clock;
    this.audit = audit;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal principal = call.getAttributes().get(PeerIdentityFilter.PRINCIPAL);
    if (principal == null) {
      String error = call.getAttributes().get(PeerIdentityFilter.IDENTITY_ERROR);
      return refuse(call, method, null, error == null ? "no verified client certificate" : error);
    }
    Instant now = clock.instant();
    if (now.isAfter(principal.notAfter())) {
      return refuse(call, method, principal.spiffeId(),
          "client certificate " + principal.serialHex() + " expired at " + principal.notAfter());
    }
    if (now.isBefore(principal.notBefore())) {
      return refuse(call, method, principal.spiffeId(),
          "client certificate " + principal.serialHex() + " is not valid before " + principal.notBefore());
    }
    Context context =
        Context.current().withValue(CallContext.PRINCIPAL, principal).withValue(CallContext.METHOD, method);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private <Q, R> ServerCall.Listener<Q> refuse(
      ServerCall<Q, R> call, String method, String spiffeId, String reason) {
    audit.record(AuditLog.Kind.UNAUTHENTICATED, spiffeId, method, null, reason);
    call.close(Status.UNAUTHENTICATED.withDescription(reason), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}

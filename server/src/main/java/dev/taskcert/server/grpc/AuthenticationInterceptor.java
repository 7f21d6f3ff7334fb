package dev.taskcert.server.grpc;

import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.revocation.RevocationCache;
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
 * Admits a call only when its connection carries a principal and the certificate is valid now and
 * not revoked. Expiry and revocation are checked per call, not per handshake, so a long-lived
 * connection cannot outlive its certificate. Refusals are UNAUTHENTICATED and audited.
 */
public final class AuthenticationInterceptor implements ServerInterceptor {
  private static final java.util.Set<String> OPEN_SERVICES = java.util.Set.of(
      "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private final Clock clock;
  private final AuditLog audit;
  private final RevocationCache revocations;

  @Inject
  AuthenticationInterceptor(Clock clock, AuditLog audit, RevocationCache revocations) {
    this.clock = clock;
    this.audit = audit;
    this.revocations = revocations;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal principal = call.getAttributes().get(PeerIdentityFilter.PRINCIPAL);
    // Health and reflection answer whoever asks, with or without a certificate, and never consult the
    // database: probes must tell "process up" apart from "database down", and they reveal nothing.
    if (OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
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
    boolean revoked;
    try {
      revoked = revocations.isRevoked(principal.serialHex());
    } catch (RuntimeException e) {
      // Fail closed: a certificate whose revocation cannot be checked is not admitted.
      call.close(UnaryCalls.toStatus(e), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (revoked) {
      return refuse(call, method, principal.spiffeId(),
          "client certificate " + principal.serialHex() + " is revoked");
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

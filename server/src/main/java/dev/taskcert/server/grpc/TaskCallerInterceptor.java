package dev.taskcert.server.grpc;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.AuthorizationRules;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import jakarta.inject.Inject;

/**
 * Refuses a non-task certificate (an admin's) on every RPC the rule table reserves for task
 * certificates, before any service code runs: PERMISSION_DENIED, audited. Runs after {@link
 * AuthenticationInterceptor}, so the caller is already known to be valid and not revoked.
 */
public final class TaskCallerInterceptor implements ServerInterceptor {
  private final AuditLog audit;

  @Inject
  TaskCallerInterceptor(AuditLog audit) {
    this.audit = audit;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal principal = call.getAttributes().get(PeerIdentityFilter.PRINCIPAL);
    if (principal == null || principal.identity() instanceof TaskIdentity
        || !AuthorizationRules.requiresTaskCertificate(method)) {
      return next.startCall(call, headers);
    }
    String reason = "this RPC is for task certificates; caller " + principal.spiffeId() + " is not a task";
    audit.record(AuditLog.Kind.DENY, principal.spiffeId(), method, "rpc", reason);
    call.close(Status.PERMISSION_DENIED.withDescription(reason), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.authz.v1.Caller;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.AdmittedCall;
import dev.taskcert.server.authz.MethodRule;
import dev.taskcert.server.authz.MethodRules;
import dev.taskcert.server.authz.Principal;
import dev.taskcert.server.authz.TryGate;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.revocation.RevocationCache;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The one front door of every call, on both ports, driven by the method's declared rule: it admits
 * a call only when the caller is of the kind the rule names and, for a task, when its try is
 * current and in a state the rule admits. Certificates are checked per call (validity window,
 * distrusted intermediates and revocation, failing closed), so a long-lived connection cannot
 * outlive its certificate. Nothing
 * of the service runs before this; every refusal goes through {@link Refusals}. A task's
 * revocation and try are read together ({@link dev.taskcert.server.authz.CallerFacts}), or, for a
 * method whose rule says its own statement checks them, not at all: that method answers only once
 * it applied the gate.
 *
 * <p>For a method that reaches others' resources it also refuses to send an answer that no scope
 * decision of the {@link dev.taskcert.server.authz.ResourceGate} preceded, so a service that forgot
 * its check fails closed.
 */
public final class FrontDoor {
  private final Clock clock;
  private final CaState ca;
  private final RevocationCache revocations;
  private final TryGate tryGate;
  private final Refusals refusals;
  private final AuditLog audit;

  @Inject
  FrontDoor(Clock clock, CaState ca, RevocationCache revocations, TryGate tryGate, Refusals refusals, AuditLog audit) {
    this.audit = audit;
    this.clock = clock;
    this.ca = ca;
    this.revocations = revocations;
    this.tryGate = tryGate;
    this.refusals = refusals;
  }

  /** The interceptor that admits the calls of a server whose methods' rules are {@code rules}. */
  public ServerInterceptor forRules(MethodRules rules) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return admitOrRefuse(rules, call, headers, next);
      }
    };
  }

  private <Q, R> ServerCall.Listener<Q> admitOrRefuse(
      MethodRules rules, ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    MethodRule rule = rules.of(method);
    Principal principal = call.getAttributes().get(PeerIdentityFilter.PRINCIPAL);
    if (rule == null) {
      // Unreachable for a served method (rules are read for every one at start); fail closed anyway.
      call.close(Status.INTERNAL.withDescription("no rule for " + method), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (rule.caller() == Caller.CALLER_ANONYMOUS) {
      // Anonymous methods never consult the certificate or the database: health probes must tell
      // "process up" from "database down", and enrollment callers have no certificate yet.
      return admit(AdmittedCall.of(method, rule, null, null, new AdmittedCall.CallerDag()), call, headers, next);
    }
    TaskInstanceRow admittedTry = null;
    AdmittedCall.CallerDag callerDag = new AdmittedCall.CallerDag();
    try {
      authenticate(principal, call.getAttributes().get(PeerIdentityFilter.IDENTITY_ERROR),
          call.getAttributes().get(TrustedChainFilter.VERIFIED_PATH));
      if (rule.caller() == Caller.CALLER_TASK && principal.identity() instanceof TaskIdentity task) {
        // For a task, revocation is one of the caller's facts the gate reads together; a method
        // that checks both in its own statement reads nothing here.
        if (!rule.gateInStatement()) {
          admittedTry = tryGate.admit(task, principal.serialHex(), rule, callerDag);
          if (TryGate.postTerminal(admittedTry, rule)) {
            audit.record(AuditKind.POST_TERMINAL, principal.spiffeId(), method,
                "task_try:" + task.dagId() + "/" + task.runId() + "/" + task.taskId() + "/" + task.mapIndex() + "/"
                    + task.tryNumber(),
                "admitted in the post-terminal grace; the try is " + admittedTry.state());
          }
        }
      } else {
        // Fails closed: when revocation cannot be checked the database error is UNAVAILABLE.
        if (revocations.isRevoked(principal.serialHex())) {
          throw TryGate.revoked(principal.serialHex());
        }
        if (rule.caller() == Caller.CALLER_TASK) {
          throw Refusal.denied("rpc", "this RPC is for task certificates; caller " + principal.spiffeId()
              + " is not a task");
        }
        if (!(principal.identity() instanceof AdminIdentity)) {
          throw Refusal.denied("rpc", "this RPC is for admin certificates; caller " + principal.spiffeId()
              + " is not an admin");
        }
      }
    } catch (RuntimeException refused) {
      call.close(refusals.toStatus(refused, method, principal == null ? null : principal.spiffeId()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return admit(AdmittedCall.of(method, rule, principal, admittedTry, callerDag), call, headers, next);
  }

  /**
   * Refuses a caller without a usable certificate, or whose certificate is not valid now or runs
   * through an intermediate distrusted since the connection was opened. Revocation is checked
   * next, with the caller's other facts.
   */
  private void authenticate(Principal principal, String identityError, List<X509Certificate> verifiedPath) {
    if (principal == null) {
      throw Refusal.unauthenticated(identityError == null ? "no verified client certificate" : identityError);
    }
    if (verifiedPath != null) {
      Optional<X509Certificate> distrusted = ca.current().distrusted().firstIn(verifiedPath);
      if (distrusted.isPresent()) {
        throw Refusal.unauthenticated(TrustedChainFilter.distrustedMessage(distrusted.get()));
      }
    }
    Instant now = clock.instant();
    if (now.isAfter(principal.notAfter())) {
      throw Refusal.unauthenticated(
          "client certificate " + principal.serialHex() + " expired at " + principal.notAfter());
    }
    if (now.isBefore(principal.notBefore())) {
      throw Refusal.unauthenticated(
          "client certificate " + principal.serialHex() + " is not valid before " + principal.notBefore());
    }
  }

  private <Q, R> ServerCall.Listener<Q> admit(
      AdmittedCall admitted, ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall<Q, R> guarded = admitted.rule().needsScopeDecision() || admitted.rule().gateInStatement()
        ? new Decided<>(call, admitted) : call;
    return Contexts.interceptCall(Context.current().withValue(AdmittedCall.KEY, admitted), guarded, headers, next);
  }

  /**
   * Refuses to send an answer of a scoped method before the call made a scope decision, and of a
   * method that checks its try gate in its own statement before the call applied it.
   */
  private static final class Decided<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final AdmittedCall admitted;

    Decided(ServerCall<Q, R> call, AdmittedCall admitted) {
      super(call);
      this.admitted = admitted;
    }

    @Override
    public void sendMessage(R message) {
      if (admitted.rule().needsScopeDecision() && !admitted.scopeDecided().get()) {
        throw new IllegalStateException(admitted.method() + " answered without a scope decision; "
            + "its service must consult the ResourceGate");
      }
      if (admitted.rule().gateInStatement() && !admitted.gateApplied().get()) {
        throw new IllegalStateException(admitted.method() + " answered without applying its try gate; "
            + "its statement must check it and its service tell the TryGate");
      }
      super.sendMessage(message);
    }
  }
}

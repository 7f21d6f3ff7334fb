package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.TaskIdentity;
import jakarta.inject.Singleton;

/**
 * The call being served, as the front door admitted it: injected where code needs the caller, so
 * that no service decides for itself who may call. The front door has already enforced the
 * method's caller kind; asking for another kind is a programming error, not a refusal.
 */
@Singleton
public final class CurrentCall {

  /** The admitted call, or {@code null} outside one (for example during start-up or in dev tools). */
  public AdmittedCall orNull() {
    return AdmittedCall.KEY.get();
  }

  /** The full gRPC method name, or {@code null} outside a call. */
  public String method() {
    AdmittedCall call = orNull();
    return call == null ? null : call.method();
  }

  /** The caller's SPIFFE ID, or {@code null} for an anonymous call or outside one. */
  public String callerId() {
    AdmittedCall call = orNull();
    return call == null || call.principal() == null ? null : call.principal().spiffeId();
  }

  /** The caller's verified certificate facts. */
  public Principal principal() {
    AdmittedCall call = admitted();
    if (call.principal() == null) {
      throw new IllegalStateException(call.method() + " is anonymous: its caller has no certificate");
    }
    return call.principal();
  }

  /** The calling task try, on a method whose rule admits task callers only. */
  public TaskIdentity task() {
    if (principal().identity() instanceof TaskIdentity task) {
      return task;
    }
    throw new IllegalStateException(method() + " was admitted for a caller that is not a task");
  }

  /** The calling admin, on a method whose rule admits admin callers only. */
  public AdminIdentity admin() {
    if (principal().identity() instanceof AdminIdentity admin) {
      return admin;
    }
    throw new IllegalStateException(method() + " was admitted for a caller that is not an admin");
  }

  /** The calling task's try as the front door admitted it (read through the cache). */
  public dev.taskcert.server.taskinstance.TaskInstanceRow admittedTry() {
    task();
    AdmittedCall call = admitted();
    if (call.rule().gateInStatement()) {
      throw new IllegalStateException(call.method() + " applies the try gate in its own statement: "
          + "the front door admitted no try");
    }
    return call.admittedTry();
  }

  /** The admitted call's rule. */
  public MethodRule rule() {
    return admitted().rule();
  }

  /** Records that the call made a scope decision (see {@link MethodRule#needsScopeDecision()}). */
  void scopeDecided() {
    admitted().scopeDecided().set(true);
  }

  /** Records that the call applied its try gate itself (see {@link MethodRule#gateInStatement()}). */
  void gateApplied() {
    admitted().gateApplied().set(true);
  }

  /** The caller's DAG's ownership as this call knows it, loaded with {@code load} the first time. */
  java.util.Optional<dev.taskcert.server.catalog.DagOwnership> callerDag(
      java.util.function.Supplier<java.util.Optional<dev.taskcert.server.catalog.DagOwnership>> load) {
    return admitted().callerDag().orLoad(load);
  }

  private AdmittedCall admitted() {
    AdmittedCall call = orNull();
    if (call == null) {
      throw new IllegalStateException("no admitted call: this code runs only while serving an RPC");
    }
    return call;
  }
}

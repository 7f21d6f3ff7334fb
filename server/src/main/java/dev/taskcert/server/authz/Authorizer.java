package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.catalog.OwnershipCache;
import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.grpc.CallContext;
import io.grpc.Status;
import jakarta.inject.Inject;

/**
 * Applies {@link Decision}s: an allow returns, a deny is audited and becomes PERMISSION_DENIED
 * with its reason. Also loads the {@link CallerScope} the policy decides on.
 */
public final class Authorizer {
  private final OwnershipCache ownership;
  private final AuditLog audit;
  private final SpiffeIdCodec codec;

  @Inject
  Authorizer(OwnershipCache ownership, AuditLog audit, SpiffeIdCodec codec) {
    this.ownership = ownership;
    this.audit = audit;
    this.codec = codec;
  }

  /** Loads what authorization needs to know about the calling task. */
  public CallerScope scopeOf(TaskIdentity caller) {
    DagOwnership dag = ownership.find(caller.dagId())
        .orElseThrow(() -> deny(caller, "dag:" + caller.dagId(), "DAG '" + caller.dagId() + "' is not registered"));
    return new CallerScope(caller, dag);
  }

  /**
   * Returns normally when {@code decision} allows.
   *
   * @throws io.grpc.StatusRuntimeException PERMISSION_DENIED (audited) when it denies
   */
  public void enforce(Decision decision, TaskIdentity caller, String resource) {
    if (decision instanceof Decision.Deny deny) {
      throw deny(caller, resource, deny.reason());
    }
  }

  /** Audits a denial and returns the PERMISSION_DENIED error to throw. */
  public RuntimeException deny(TaskIdentity caller, String resource, String reason) {
    audit.record(AuditLog.Kind.DENY, codec.encode(caller), CallContext.method(), resource, reason);
    return Status.PERMISSION_DENIED.withDescription(reason).asRuntimeException();
  }
}

package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.grpc.CallContext;
import io.grpc.Status;
import jakarta.inject.Inject;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The task-state gate every task RPC passes: the certificate's try must be the task instance's
 * current try, in a state the RPC allows. Refusals are FAILED_PRECONDITION, naming the current
 * state or try, and audited.
 */
public final class LiveTryGuard {
  private final TaskInstanceCache instances;
  private final AuditLog audit;
  private final SpiffeIdCodec codec;

  @Inject
  LiveTryGuard(TaskInstanceCache instances, AuditLog audit, SpiffeIdCodec codec) {
    this.instances = instances;
    this.audit = audit;
    this.codec = codec;
  }

  /** Requires the caller's try to be current and RUNNING. */
  public TaskInstanceRow requireRunning(TaskIdentity caller) {
    return require(caller, EnumSet.of(TaskState.RUNNING));
  }

  /**
   * Requires the caller's try to be current and in one of {@code allowed}, reading the task
   * instance through the cache (stale by at most the cache TTL, usually not at all).
   *
   * @return the task instance as it is now
   */
  public TaskInstanceRow require(TaskIdentity caller, Set<TaskState> allowed) {
    return check(caller, instances.find(caller).orElse(null), allowed);
  }

  /** Applies the gate to a row the caller already loaded (for example under a row lock). */
  public TaskInstanceRow check(TaskIdentity caller, TaskInstanceRow row, Set<TaskState> allowed) {
    if (row == null) {
      throw refuse(caller, "task instance does not exist");
    }
    if (row.tryNumber() != caller.tryNumber()) {
      throw refuse(caller,
          "try " + caller.tryNumber() + " is superseded: the current try is " + row.tryNumber());
    }
    if (!allowed.contains(row.taskState())) {
      throw refuse(caller,
          "task instance is " + row.state() + "; this call needs "
              + allowed.stream().map(Enum::name).collect(Collectors.joining(" or ")));
    }
    return row;
  }

  /** Audits a refusal of the caller's try and returns the FAILED_PRECONDITION error to throw. */
  public RuntimeException refuse(TaskIdentity caller, String reason) {
    audit.record(AuditLog.Kind.DENY, codec.encode(caller), CallContext.method(), "task_instance", reason);
    return Status.FAILED_PRECONDITION.withDescription(reason).asRuntimeException();
  }
}

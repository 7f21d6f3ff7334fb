package dev.taskcert.server.grpc;

import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.WorkloadIdentity;
import io.grpc.Status;
import java.time.Instant;

/**
 * The verified caller of an RPC: the identity in its client certificate plus the certificate facts
 * checked on every call (validity window; serial for revocation and audit).
 */
public record Principal(
    WorkloadIdentity identity, String spiffeId, String serialHex, Instant notBefore, Instant notAfter) {

  /**
   * The caller as a task try.
   *
   * @throws io.grpc.StatusRuntimeException PERMISSION_DENIED when the caller is an admin principal
   */
  public TaskIdentity requireTask() {
    if (identity instanceof TaskIdentity task) {
      return task;
    }
    throw Status.PERMISSION_DENIED
        .withDescription("this RPC is for task certificates; caller " + spiffeId + " is not a task")
        .asRuntimeException();
  }

  /**
   * The caller as an admin principal.
   *
   * @throws io.grpc.StatusRuntimeException PERMISSION_DENIED when the caller is a task
   */
  public AdminIdentity requireAdmin() {
    if (identity instanceof AdminIdentity admin) {
      return admin;
    }
    throw Status.PERMISSION_DENIED
        .withDescription("this RPC is for admin certificates; task certificates are never accepted")
        .asRuntimeException();
  }
}

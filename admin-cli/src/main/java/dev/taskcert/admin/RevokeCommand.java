package dev.taskcert.admin;

import dev.taskcert.pki.identity.InvalidIdentityException;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesResponse;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code revoke}: certificates by serial, or every certificate of one task try. */
@Command(name = "revoke", mixinStandardHelpOptions = true, description = {
    "Revokes certificates by serial and/or every certificate of one task try; every replica refuses",
    "them within moments. Prints the serials newly revoked.",
    "To contain a stolen key, revoke its try (--task-try): a try renews its certificate every few",
    "minutes, and revoking one serial does not revoke the certificates renewed from it."})
final class RevokeCommand extends AdminCommand {
  @Option(names = "--serial", paramLabel = "HEX", description = "a serial to revoke, hex (repeatable)")
  List<String> serials = List.of();

  @Option(names = "--task-try", paramLabel = "SPIFFE_ID",
      description = "revoke every certificate of this task try, given as its SPIFFE ID")
  String taskTry;

  @Option(names = "--reason", defaultValue = "", paramLabel = "TEXT", description = "why; recorded in the audit log")
  String reason;

  @Override
  protected void execute(Stubs stubs, Output output) {
    if (serials.isEmpty() && taskTry == null) {
      throw usageError("give --serial, --task-try, or both");
    }
    RevokeCertificatesRequest.Builder request = RevokeCertificatesRequest.newBuilder()
        .addAllSerialHex(serials).setReason(reason);
    if (taskTry != null) {
      request.setTaskTry(taskTryRef(taskTry));
    }
    RevokeCertificatesResponse answer = stubs.admin().revokeCertificates(request.build());
    output.record(answer, Output.fields("revoked", answer.getRevokedSerialHexCount() + " certificate(s)",
        "serials", String.join(" ", answer.getRevokedSerialHexList())));
  }

  /** A task try's SPIFFE ID as the request names it (any trust domain: the server checks it is its own). */
  private TaskTryRef taskTryRef(String spiffeId) {
    String rest = spiffeId.startsWith("spiffe://") ? spiffeId.substring("spiffe://".length()) : "";
    int slash = rest.indexOf('/');
    try {
      if (slash <= 0
          || !(new SpiffeIdCodec(new TrustDomain(rest.substring(0, slash))).parse(spiffeId) instanceof TaskIdentity task)) {
        throw usageError("--task-try must be a task try's SPIFFE ID (spiffe://<domain>/ti/...), got " + spiffeId);
      }
      return TaskTryRef.newBuilder().setDagId(task.dagId()).setRunId(task.runId()).setTaskId(task.taskId())
          .setMapIndex(task.mapIndex()).setTryNumber(task.tryNumber()).build();
    } catch (InvalidIdentityException e) {
      throw usageError("--task-try is not a valid SPIFFE ID: " + e.getMessage());
    }
  }
}

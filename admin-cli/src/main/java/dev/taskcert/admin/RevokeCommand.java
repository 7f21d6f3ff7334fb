package dev.taskcert.admin;

import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesResponse;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code revoke}: certificates by serial, or every certificate of one task try. */
@Command(name = "revoke", mixinStandardHelpOptions = true, description = {
    "Revokes certificates by serial, or every certificate of one task try.",
    "Every replica refuses them within moments. Prints the serials newly revoked. Revoking a serial also revokes"
        + " every certificate renewed from it. To stop the try itself as well, use 'try end'."})
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
      request.setTaskTry(taskTry(taskTry, "--task-try"));
    }
    RevokeCertificatesResponse answer = stubs.admin().revokeCertificates(request.build());
    output.record(answer, Output.fields("revoked", answer.getRevokedSerialHexCount() + " certificate(s)",
        "serials", String.join(" ", answer.getRevokedSerialHexList())));
  }
}

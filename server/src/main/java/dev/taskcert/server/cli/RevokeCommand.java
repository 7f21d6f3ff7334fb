package dev.taskcert.server.cli;

import dev.taskcert.pki.identity.InvalidIdentityException;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.pki.pem.PemException;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesResponse;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Revokes certificates through the Admin API, authenticated with an admin certificate (as
 * {@code taskcert-ca issue} writes one). Every replica refuses the revoked serials within moments.
 */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Revokes certificates by serial and/or every certificate of one task try, through the Admin",
      "API with an admin certificate. Prints the serials newly revoked. Exit code 0 on success,",
      "1 when the server refused or could not be reached, 2 on bad usage."
    })
final class RevokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, description = "host:port of the mutual-TLS port, e.g. localhost:7443")
  String target;

  @Option(names = "--trust-bundle", required = true, description = "PEM file with the roots to trust (bundle.pem)")
  Path trustBundle;

  @Option(names = "--admin-cert", required = true, description = "PEM file with the admin certificate chain")
  Path adminCertificate;

  @Option(names = "--admin-key", required = true, description = "PEM file with the admin private key")
  Path adminKey;

  @Option(names = "--serial", paramLabel = "HEX", description = "a serial to revoke, hex (repeatable)")
  List<String> serials = List.of();

  @Option(names = "--task-try", paramLabel = "SPIFFE_ID",
      description = "revoke every certificate of this task try, given as its SPIFFE ID")
  String taskTry;

  @Option(names = "--reason", defaultValue = "", description = "why; recorded in the audit log")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (serials.isEmpty() && taskTry == null) {
      err.println("error: give --serial, --task-try, or both");
      return 2;
    }
    RevokeCertificatesRequest.Builder request = RevokeCertificatesRequest.newBuilder()
        .addAllSerialHex(serials).setReason(reason);
    TaskCredentials credentials;
    try {
      if (taskTry != null) {
        request.setTaskTry(taskTryRef(taskTry));
      }
      List<X509Certificate> chain = Pem.parseCertificates(Files.readString(adminCertificate, StandardCharsets.US_ASCII));
      PrivateKey key = Pem.parsePrivateKey(Files.readString(adminKey, StandardCharsets.US_ASCII));
      List<X509Certificate> roots = Pem.parseCertificates(Files.readString(trustBundle, StandardCharsets.US_ASCII));
      credentials = new TaskCredentials(key, chain, roots, "", chain.get(0).getSerialNumber().toString(16),
          chain.get(0).getNotAfter().toInstant());
    } catch (IOException | PemException | InvalidIdentityException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    ManagedChannel channel = ClientTls.mutualTlsChannel(target, credentials);
    try {
      RevokeCertificatesResponse response = AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS).revokeCertificates(request.build());
      out.println("revoked " + response.getRevokedSerialHexCount() + " certificate(s)");
      response.getRevokedSerialHexList().forEach(serial -> out.println("  " + serial));
      return 0;
    } catch (StatusRuntimeException e) {
      err.println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } finally {
      channel.shutdownNow();
      out.flush();
    }
  }

  /** Parses a task try's SPIFFE ID (any trust domain: the server checks it is its own). */
  private static TaskTryRef taskTryRef(String spiffeId) {
    String rest = spiffeId.startsWith("spiffe://") ? spiffeId.substring("spiffe://".length()) : "";
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      throw new InvalidIdentityException("--task-try must be a task SPIFFE ID, got " + spiffeId);
    }
    if (!(new SpiffeIdCodec(new TrustDomain(rest.substring(0, slash))).parse(spiffeId) instanceof TaskIdentity task)) {
      throw new InvalidIdentityException("--task-try must name a task try, not an admin");
    }
    return TaskTryRef.newBuilder().setDagId(task.dagId()).setRunId(task.runId()).setTaskId(task.taskId())
        .setMapIndex(task.mapIndex()).setTryNumber(task.tryNumber()).build();
  }
}

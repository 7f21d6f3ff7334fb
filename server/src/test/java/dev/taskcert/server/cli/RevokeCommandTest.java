package dev.taskcert.server.cli;

import static dev.taskcert.server.testing.Statuses.codeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.WorkloadIdentity;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.server.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RevokeCommandTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @TempDir Path temp;


  private record Result(int exit, String out, String err) {}

  private Result revoke(TaskCredentials operator, String... args) throws Exception {
    Path cert = temp.resolve("operator.pem");
    Path key = temp.resolve("operator-key.pem");
    Path bundle = temp.resolve("bundle.pem");
    Files.writeString(cert, Pem.certificates(operator.chain()));
    Files.writeString(key, Pem.privateKey(operator.privateKey()));
    Files.writeString(bundle, Pem.certificates(env.supervisorConfig().trustRoots()));
    String[] common = {"revoke", "--target", env.dev().executionTarget(), "--trust-bundle", bundle.toString(),
        "--admin-cert", cert.toString(), "--admin-key", key.toString()};
    String[] all = new String[common.length + args.length];
    System.arraycopy(common, 0, all, 0, common.length);
    System.arraycopy(args, 0, all, common.length, args.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new ServerCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void revokesATaskTryByItsSpiffeId() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
      task.variables().getVariable(read);
      Result result = revoke(env.credentialsFor(new AdminIdentity("ops")),
          "--task-try", task.spiffeId(), "--reason", "worker host compromised");
      assertEquals(0, result.exit(), result.err());
      assertTrue(result.out().contains(task.session().credentials().serialHex()), result.out());
      assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> task.variables().getVariable(read)));
    }
  }

  @Test
  void refusesATaskCertificateAsOperator() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      WorkloadIdentity taskIdentity = env.instance(dev.taskcert.pki.identity.SpiffeIdCodec.class).parse(task.spiffeId());
      Result result = revoke(env.credentialsFor(taskIdentity), "--serial", "abc123");
      assertEquals(1, result.exit());
      assertTrue(result.err().contains("PERMISSION_DENIED"), result.err());
    }
  }

  @Test
  void needsSomethingToRevoke() throws Exception {
    assertEquals(2, revoke(env.credentialsFor(new AdminIdentity("ops"))).exit());
  }

  @Test
  void revokesAnOperatorCertificateTheServerNeverIssued() throws Exception {
    TaskCredentials compromised = env.credentialsFor(new AdminIdentity("mallory"));
    assertEquals(0, revoke(compromised, "--serial", "1").exit()); // works before revocation
    Result result = revoke(env.credentialsFor(new AdminIdentity("ops")), "--serial", compromised.serialHex());
    assertEquals(0, result.exit(), result.err());
    Result refused = revoke(compromised, "--serial", "2");
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("UNAUTHENTICATED"), refused.err());
  }
}

package dev.taskcert.server.attack;

import static dev.taskcert.server.testing.Statuses.codeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.taskcert.proto.ca.v1.CertificateAuthorityGrpc;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.server.dev.DemoData;
import dev.taskcert.server.grpc.TaskcertServer;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Oversized messages and fields, and guessed enrollment tokens: refused, nothing stored. */
class OversizedAndGuessedInputTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  @Test
  void refusesMessagesOverTheServerLimit() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      String huge = "x".repeat(TaskcertServer.MAX_INBOUND_MESSAGE_BYTES + 1);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, codeOf(() ->
          task.xcoms().setXCom(SetXComRequest.newBuilder().setKey("k").setValueJson(huge).build())));
      assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey("k".repeat(251)).setValue("v").build())));
      assertEquals(0, env.count("select count(*) from xcom"));
      assertEquals(0, env.count("select count(*) from variable where key like 'kkk%'"));
      // The connection is still usable after a refusal.
      task.variables().setVariable(SetVariableRequest.newBuilder().setKey("analytics_ok").setValue("v").build());
    }
  }

  @Test
  void guessedTokensNeverEnroll() throws Exception {
    env.queue(DemoData.PAYMENTS); // a live token exists; guesses must not find it
    long issued = env.count("select count(*) from issued_certificate");
    ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
    SecureRandom random = new SecureRandom();
    try {
      ByteString csr = ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)));
      for (int i = 0; i < 200; i++) {
        byte[] guess = new byte[32];
        random.nextBytes(guess);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(guess);
        assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> CertificateAuthorityGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .enroll(EnrollRequest.newBuilder().setEnrollmentToken(token).setCsrDer(csr).build())));
      }
    } finally {
      channel.shutdownNow();
    }
    assertEquals(issued, env.count("select count(*) from issued_certificate"));
    assertEquals(200, env.count("select count(*) from audit_event where kind = 'enroll_refused'"));
  }
}

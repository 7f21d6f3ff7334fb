package dev.taskcert.server.attack;

import static dev.taskcert.server.testing.Statuses.codeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.grpc.TaskcertServer;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.RawCalls;
import dev.taskcert.server.testing.RefusedEnrollments;
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
      String before = DatabaseFingerprint.of(env);
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, codeOf(() ->
          task.xcoms().setXCom(SetXComRequest.newBuilder().setKey("k").setValueJson(huge).build())));
      assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey("k".repeat(251)).setValue("v").build())));
      assertEquals(before, DatabaseFingerprint.of(env));
      // The connection is still usable after a refusal.
      task.variables().setVariable(SetVariableRequest.newBuilder().setKey("analytics_ok").setValue("v").build());
    }
  }

  @Test
  void refusesMalformedProtobufWithInvalidArgument() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), task.session().credentials());
      ManagedChannel enrollment = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
      try {
        String before = DatabaseFingerprint.of(env);
        byte[][] malformed = {
            {(byte) 0x0a, (byte) 0x7f, 'x'}, // field 1, length 127, one byte follows
            {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0x01}, // an over-long varint tag
            {(byte) 0x0a, (byte) 0x02, (byte) 0xc3, (byte) 0x28}, // field 1 as a string of invalid UTF-8
            {(byte) 0x0f}, // wire type 7 does not exist
        };
        for (byte[] bytes : malformed) {
          assertEquals(Status.Code.INVALID_ARGUMENT,
              RawCalls.refusal(channel, "taskcert.execution.v1.XComs/SetXCom", bytes), java.util.HexFormat.of().formatHex(bytes));
          assertEquals(Status.Code.INVALID_ARGUMENT,
              RawCalls.refusal(enrollment, "taskcert.ca.v1.Enrollment/Enroll", bytes), java.util.HexFormat.of().formatHex(bytes));
        }
        assertEquals(before, DatabaseFingerprint.of(env));
        // The connection is still usable afterwards.
        task.xcoms().setXCom(SetXComRequest.newBuilder().setKey("after_garbage").setValueJson("1").build());
      } finally {
        channel.shutdownNow();
        enrollment.shutdownNow();
      }
    }
  }

  @Test
  void guessedTokensNeverEnroll() throws Exception {
    env.queue(DemoData.PAYMENTS); // a live token exists; guesses must not find it
    String before = DatabaseFingerprint.of(env);
    long audited = RefusedEnrollments.counted(env);
    long auditRows = RefusedEnrollments.rows(env);
    ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
    SecureRandom random = new SecureRandom();
    try {
      ByteString csr = ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)));
      for (int i = 0; i < 200; i++) {
        byte[] guess = new byte[32];
        random.nextBytes(guess);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(guess);
        assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> EnrollmentGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .enroll(EnrollRequest.newBuilder().setEnrollmentToken(token).setCsrDer(csr).build())));
      }
    } finally {
      channel.shutdownNow();
    }
    assertEquals(before, DatabaseFingerprint.of(env), "no token consumed, no certificate issued");
    assertEquals(audited + 200, RefusedEnrollments.counted(env), "every guess is audited");
    long rows = RefusedEnrollments.rows(env) - auditRows;
    assertTrue(rows >= 2 && rows <= 4, "200 guesses from one address within a minute are recorded as the first and "
        + "a count of the rest, not a row each: " + rows + " rows");
  }
}

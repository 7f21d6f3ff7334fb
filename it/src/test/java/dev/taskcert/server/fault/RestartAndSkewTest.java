package dev.taskcert.server.fault;

import static dev.taskcert.server.testing.Statuses.statusOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server restart under held connections, and clock skew between replicas within the backdating bound. */
class RestartAndSkewTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  @Test
  void supervisorsReconnectWithTheirCurrentCertificateAfterAServerRestart() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.PAYMENTS)) {
      String serial = session.credentials().serialHex();
      assertEquals("dev", session.client().getVariable(DemoData.GLOBAL_VARIABLE).value());
      env.dev().restartServer();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          assertEquals("dev", session.client().getVariable(DemoData.GLOBAL_VARIABLE).value());
          break;
        } catch (TaskcertException.Unavailable reconnecting) {
          if (System.nanoTime() > deadline) {
            fail("the supervisor did not reconnect within 30 s: " + reconnecting.getMessage());
          }
          Thread.sleep(100);
        }
      }
      assertEquals(serial, session.credentials().serialHex(), "no re-enrollment was needed");
    }
  }

  @Test
  void acceptsCertificatesFromAReplicaWhoseClockRunsAheadWithinTheBackdatingBound() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
      try {
        // This server's clock now runs 50 s behind the one that issued the certificate.
        env.clock.advance(Duration.ofSeconds(-50));
        assertEquals("dev", task.variables().getVariable(read).getValue());
        // 70 s behind is beyond the 60 s backdating: the certificate is not valid yet here.
        env.clock.advance(Duration.ofSeconds(-20));
        Status status = statusOf(() -> task.variables().getVariable(read));
        assertEquals(Status.Code.UNAUTHENTICATED, status.getCode());
        assertTrue(status.getDescription().contains("not valid before"), status.getDescription());
      } finally {
        env.clock.advance(Duration.ofSeconds(70));
      }
    }
  }
}

package dev.taskcert.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.CountingDriver;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How many round trips to the database the hot calls cost, counted at the JDBC driver of a real
 * server on a real database: statements executed, and commits and rollbacks of open transactions.
 * The server keeps nothing in its caches ({@code cache.ttl=PT0S}, a second replica's worst case),
 * so every call reads what it needs. Only the threads that serve calls are counted: the liveness
 * sweep and the notification listener run on their own.
 */
class RoundTripsTest {
  /** The threads a server serves calls on: gRPC's executor and the enrollment workers. */
  private static final String[] SERVING = {"grpc-default-executor-", "taskcert-enroll-"};

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder
      .cacheTtl(Duration.ZERO)
      .database(CountingDriver.wrap(builder.build().database())));

  private final SecureRandom random = new SecureRandom();

  /** The round trips the server made to serve {@code call}. */
  private static List<CountingDriver.RoundTrip> roundTripsOf(Supplier<?> call) {
    try (CountingDriver.Recording recording = CountingDriver.record()) {
      call.get();
      return recording.on(SERVING);
    }
  }

  private static void assertStatements(int expected, List<CountingDriver.RoundTrip> roundTrips) {
    assertEquals(expected, roundTrips.size(), "round trips: " + roundTrips);
    for (CountingDriver.RoundTrip trip : roundTrips) {
      assertEquals(false, trip.what().equals("commit") || trip.what().equals("rollback"),
          "each statement commits on its own: " + roundTrips);
    }
  }

  private RenewRequest renewal() {
    return RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)))).build();
  }

  @Test
  void anEnrollmentIsTheTokensReadAndOneStatement() throws Exception {
    QueuedTry queued = env.queue(DemoData.ANALYTICS);
    EnrollRequest request = EnrollRequest.newBuilder().setEnrollmentToken(queued.enrollmentToken())
        .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(random)))).build();
    ManagedChannel channel =
        ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
    try {
      EnrollmentGrpc.EnrollmentBlockingStub ca =
          EnrollmentGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      List<CountingDriver.RoundTrip> roundTrips = roundTripsOf(() -> ca.enroll(request));
      assertStatements(2, roundTrips);
    } finally {
      channel.shutdownNow();
    }
    assertEquals(1, env.count("select count(*) from audit_event where kind = 'issue' and principal = '"
        + queued.spiffeId() + "'"), "the one statement stored the certificate's audit event");
  }

  @Test
  void aHeartbeatIsOneStatement() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      HeartbeatRequest heartbeat = HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build();
      assertStatements(1, roundTripsOf(() -> task.taskInstances().heartbeat(heartbeat)));
    }
  }

  @Test
  void aColdVariableReadIsTheCallersFactsAndTheVariable() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.ANALYTICS.ownVariable()).build();
      assertStatements(2, roundTripsOf(() -> task.variables().getVariable(read)));
    }
  }

  @Test
  void aColdRenewalIsTheFrontDoorsFactsTheTrysAndOneStatement() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      RenewRequest renewal = renewal();
      List<CountingDriver.RoundTrip> roundTrips = roundTripsOf(() -> task.ca().renew(renewal));
      assertStatements(3, roundTrips);
    }
  }
}

package dev.taskcert.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.GetTrustBundleRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.Enrollment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped and started again while many clients use the server at once: task tries
 * heartbeating, reading variables and XComs, writing their own variables and XComs, an operator
 * writing through the Admin API, and new tries enrolling. While the database is down every call
 * that needs it fails with UNAVAILABLE and nothing else, and what needs no database (TLS
 * handshakes, health, the trust bundle) keeps working. Afterwards the same server process serves
 * everyone again, no acknowledged write is missing, nothing refused was half-done (a try whose
 * FinishTask failed is still RUNNING; an enrollment token whose redemption failed still works),
 * and the cache-invalidation channel is listening again.
 */
class MixedLoadOutageTest {
  /** Long, so that after the outage only a notification can explain a refusal. */
  private static final Duration CACHE_TTL = Duration.ofMinutes(2);
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static TestTask queueAndStart(TestEnvironment env, DemoData.DemoTask task, String taskId) throws Exception {
    return env.startTask(env.dev().taskQueue().queue(task.dagId(), DemoData.RUN_ID, taskId, -1, 1, null));
  }

  @Test
  void everyCallFailsOnlyWithUnavailableDuringTheOutageAndNothingAcknowledgedIsLost() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder.cacheTtl(CACHE_TTL)).started()) {
      List<TestTask> tasks = new ArrayList<>();
      List<LoadWorker> workers = new ArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          DemoData.DemoTask team = i % 2 == 0 ? DemoData.ANALYTICS : DemoData.PAYMENTS;
          String taskId = team.team() + "_outage_" + i;
          TestTask task = queueAndStart(env, team, taskId);
          tasks.add(task);
          workers.add(LoadWorker.forTask(taskId, task, taskId, team.team() + "_outage_variable_" + i));
        }
        workers.add(LoadWorker.forOperator("operator", env::admin, "operator_outage_counter"));
        List<QueuedTry> waiting = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
          waiting.add(env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "outage_enrolling_" + i,
              -1, 1, null));
        }
        EnrollmentWorker enroller = new EnrollmentWorker(env.supervisorConfig(), waiting);
        workers.add(enroller);
        TestTask finisher = queueAndStart(env, DemoData.PAYMENTS, "outage_finisher");
        tasks.add(finisher);

        workers.forEach(LoadWorker::start);
        Await.until("every client has succeeded several times", WAIT, () -> workers.stream().allMatch(w -> w.successes() >= 5));
        for (LoadWorker worker : workers) {
          assertEquals(List.of(), worker.failures(), worker.name() + " failed before the outage");
        }

        env.dev().database().stop();
        Instant stopped = Instant.now();
        Await.until("every client has seen the outage", WAIT, () -> workers.stream().allMatch(w -> w.failureCount() >= 1));

        // What needs no database keeps working: a new handshake, health, the trust bundle.
        TaskCredentials anyone = tasks.get(0).session().credentials();
        ManagedChannel fresh = ClientTls.mutualTlsChannel(env.dev().executionTarget(), anyone);
        ManagedChannel enrollmentPort = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(),
            env.supervisorConfig().trustRoots());
        try {
          assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(fresh)
              .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
          assertTrue(EnrollmentGrpc.newBlockingStub(enrollmentPort).withDeadlineAfter(10, TimeUnit.SECONDS)
              .getTrustBundle(GetTrustBundleRequest.getDefaultInstance()).getRootCertificatesDerCount() >= 1);
        } finally {
          fresh.shutdownNow();
          enrollmentPort.shutdownNow();
        }

        // A state change refused during the outage is not half-applied.
        StatusRuntimeException finishDuringOutage = null;
        try {
          finisher.taskInstances().withDeadlineAfter(20, TimeUnit.SECONDS).finishTask(
              FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
        } catch (StatusRuntimeException e) {
          finishDuringOutage = e;
        }
        assertNotNull(finishDuringOutage, "FinishTask succeeded while the database was down");
        assertEquals(Status.Code.UNAVAILABLE, finishDuringOutage.getStatus().getCode(), finishDuringOutage.toString());

        env.dev().database().restart();
        Duration outage = Duration.between(stopped, Instant.now());
        workers.forEach(LoadWorker::markRecoveryStarted);
        Await.until("every client succeeds again on the same server", WAIT,
            () -> workers.stream().allMatch(w -> w.successesSinceRecovery() >= 5));
        workers.forEach(LoadWorker::stop);
        for (LoadWorker worker : workers) {
          worker.join();
        }

        for (LoadWorker worker : workers) {
          System.out.printf("%-22s %6d calls succeeded, %3d failed (%d succeeded after the %s outage)%n",
              worker.name(), worker.successes(), worker.failureCount(), worker.successesSinceRecovery(), outage);
        }
        // Only UNAVAILABLE, from every kind of client, and only because of the outage.
        for (LoadWorker worker : workers) {
          assertEquals(List.of(), worker.failures().stream().filter(f -> f.code() != Status.Code.UNAVAILABLE).toList(),
              worker.name() + " saw a failure other than UNAVAILABLE");
        }

        // Nothing acknowledged is lost; a refused write was not applied.
        for (LoadWorker worker : workers) {
          worker.verifyDurable(env);
        }
        assertEquals(1, env.count("select count(*) from task_instance where task_id = 'outage_finisher'"
            + " and state = 'RUNNING'"), "a FinishTask refused during the outage changed the try");
        finisher.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
        assertEquals(1, env.count("select count(*) from task_instance where task_id = 'outage_finisher'"
            + " and state = 'SUCCESS'"));
        // Tokens whose redemption failed during the outage were not used up.
        String refusedToken = enroller.tokenRefusedAsUnavailable();
        assertNotNull(refusedToken, "no enrollment was attempted during the outage");
        TaskCredentials late = Enrollment.enroll(env.supervisorConfig(), refusedToken, new SecureRandom());
        assertTrue(late.spiffeId().startsWith("spiffe://"), late.spiffeId());

        // The invalidation channel listens again: a revocation written by another replica (here, plain
        // SQL on the shared database) is enforced at once, though this server cached "not revoked".
        TestTask revoked = tasks.get(1);
        revoked.variables().getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build());
        try (Connection connection = env.instance(DataSource.class).getConnection();
            PreparedStatement insert = connection.prepareStatement(
                "insert into revoked_serial (serial_hex, revoked_at, reason) values (?, ?, 'replica test')")) {
          insert.setString(1, revoked.session().credentials().serialHex());
          insert.setTimestamp(2, Timestamp.from(Instant.now()));
          insert.executeUpdate();
          connection.commit();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Status.Code refusal = null;
        while (refusal == null && System.nanoTime() < deadline) {
          try {
            revoked.variables().getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build());
            Thread.sleep(50);
          } catch (StatusRuntimeException e) {
            refusal = e.getStatus().getCode();
          }
        }
        assertEquals(Status.Code.UNAUTHENTICATED, refusal,
            "a revocation made after the outage did not reach this server within 15 s (outage lasted " + outage + ")");
      } finally {
        workers.forEach(LoadWorker::stop);
        for (LoadWorker worker : workers) {
          worker.join();
        }
        tasks.forEach(TestTask::close);
      }
    }
  }
}

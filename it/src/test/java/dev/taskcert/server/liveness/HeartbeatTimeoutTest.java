package dev.taskcert.server.liveness;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.config.TryLiveness;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A try whose supervisor stops heartbeating is failed by the server once the heartbeat timeout
 * passes, and its certificates are revoked: a key stolen from a dead worker stops working within
 * the timeout plus one sweep, on every replica, with exactly one replica acting.
 */
class HeartbeatTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final Duration SWEEP = Duration.ofMillis(250);

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder.liveness(
      new TryLiveness(TIMEOUT, SWEEP, Duration.ofHours(24))));

  private static final GetVariableRequest OWN_VARIABLE =
      GetVariableRequest.newBuilder().setKey(DemoData.ANALYTICS.ownVariable()).build();
  private static final HeartbeatRequest HEARTBEAT =
      HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build();

  /** Queues a try with {@code maxTries} retries (Airflow's max_tries). */
  private static QueuedTry queue(String taskId, int maxTries) {
    return env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, maxTries, null);
  }

  private static String state(String taskId) throws Exception {
    long code = env.count("select case state when 'FAILED' then 1 when 'UP_FOR_RETRY' then 2 when 'RUNNING' then 3"
        + " when 'QUEUED' then 4 else 0 end from task_instance where task_id = '" + taskId + "'");
    return List.of("OTHER", "FAILED", "UP_FOR_RETRY", "RUNNING", "QUEUED").get((int) code);
  }

  private static long endings(String taskId) {
    return env.audit(1000).stream()
        .filter(event -> event.kind().equals("end") && event.resource().contains("/" + taskId + "/")).count();
  }

  private static RenewRequest renewal() {
    return RenewRequest.newBuilder()
        .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build();
  }

  @Test
  void aTryWhoseHeartbeatsStopIsFailedAndItsKeyStopsWorking() throws Exception {
    try (TestTask task = env.startTask(queue("silent_worker", 0))) {
      task.variables().getVariable(OWN_VARIABLE);

      Await.until("the silent try is failed", Duration.ofSeconds(30), () -> stateIs("silent_worker", "FAILED"));
      awaitNothingLeftToEnd();

      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.variables().getVariable(OWN_VARIABLE));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.ca().renew(renewal()));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.taskInstances().heartbeat(HEARTBEAT));
      assertEquals(0, env.count("select count(*) from issued_certificate where spiffe_id = '" + task.spiffeId()
          + "' and revoked_at is null"));
      assertEquals(1, endings("silent_worker"));
      assertTrue(env.audit(1000).stream().anyMatch(event -> event.kind().equals("end")
          && event.resource().contains("/silent_worker/") && event.detail().contains("no heartbeat for more than PT3S")
          && event.principal().startsWith("taskcert-server/")));
    }
  }

  @Test
  void aSilentTryWithTriesLeftGoesUpForRetry() throws Exception {
    try (TestTask task = env.startTask(queue("silent_with_retries", 1))) {
      Await.until("the silent try is up for retry", Duration.ofSeconds(30),
          () -> stateIs("silent_with_retries", "UP_FOR_RETRY"));
      awaitNothingLeftToEnd();
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.variables().getVariable(OWN_VARIABLE));
    }
  }

  @Test
  void anEnrolledTryThatNeverStartsIsFailed() throws Exception {
    QueuedTry queued = queue("never_started", 0);
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom())) {
      Await.until("the enrolled try is failed", Duration.ofSeconds(30), () -> stateIs("never_started", "FAILED"));
      assertEquals(0, env.count("select count(*) from issued_certificate where spiffe_id = '"
          + session.credentials().spiffeId() + "' and revoked_at is null"));
    }
  }

  @Test
  void aResumedTryIsJudgedByItsNewExecution() throws Exception {
    QueuedTry queued = queue("resumed_after_deferral", 0);
    try (TestTask task = env.startTask(queued)) {
      task.taskInstances().deferTask(dev.taskcert.proto.execution.v1.DeferTaskRequest.newBuilder()
          .setClasspath("t.Trigger").build());
    }
    // A deferred try is not swept; wait until its first enrollment is older than the timeout.
    Await.until("the first enrollment is older than the timeout", Duration.ofSeconds(30), () -> {
      try {
        return env.count("select count(*) from task_instance where task_id = 'resumed_after_deferral' and state = "
            + "'DEFERRED' and enrolled_at < now() - interval '" + (TIMEOUT.toSeconds() + 1) + " seconds'") == 1;
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    var ref = dev.taskcert.proto.admin.v1.TaskTryRef.newBuilder().setDagId(queued.identity().dagId())
        .setRunId(queued.identity().runId()).setTaskId(queued.identity().taskId()).setMapIndex(-1)
        .setTryNumber(queued.identity().tryNumber());
    String token = env.admin().resumeTaskInstance(dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest.newBuilder()
        .setTaskTry(ref).build()).getEnrollmentToken();
    // The resumed execution waits for its triggerer-issued token as long as the token lives: the
    // earlier execution's enrollment time no longer counts.
    env.instance(dev.taskcert.server.liveness.TryReaper.class).sweep();
    assertEquals("QUEUED", state("resumed_after_deferral"));
    // Once it enrolls, it must start within the timeout like any try.
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      Await.until("the resumed try that never started is failed", Duration.ofSeconds(30),
          () -> stateIs("resumed_after_deferral", "FAILED"));
      assertEquals(0, env.count("select count(*) from issued_certificate where spiffe_id = '"
          + session.credentials().spiffeId() + "' and revoked_at is null"));
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'resumed_after_deferral' "
          + "and try_number = " + queued.identity().tryNumber() + " and execution_generation = 2"));
    }
  }

  @Test
  void aTryThatKeepsHeartbeatingOutlivesTheTimeout() throws Exception {
    try (TestTask task = env.startTask(queue("steady_worker", 0))) {
      long until = System.nanoTime() + TIMEOUT.multipliedBy(3).toNanos();
      while (System.nanoTime() < until) {
        task.taskInstances().heartbeat(HEARTBEAT);
        Thread.sleep(500);
      }
      assertEquals("RUNNING", state("steady_worker"));
      task.variables().getVariable(OWN_VARIABLE);
      assertEquals(0, endings("steady_worker"));
    }
  }

  @Test
  void withTwoReplicasSweepingAtOnceEachSilentTryIsEndedExactlyOnce() throws Exception {
    ServerRuntime replica = ServerRuntime.start(env.dev().config().toBuilder()
        .executionPort(0).enrollmentPort(0).metricsPort(-1).build(), env.clock);
    List<TestTask> tasks = new ArrayList<>();
    ExecutorService sweepers = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 8; i++) {
        tasks.add(env.startTask(queue("replicated_silent_" + i, 0)));
      }
      TryReaper[] reapers = {env.instance(TryReaper.class), replica.injector().getInstance(TryReaper.class)};
      Thread.sleep(TIMEOUT.plusMillis(500).toMillis());
      // Both replicas' scheduled sweeps run too; on top of them, sweep from both at the same moment.
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> sweeps = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        TryReaper reaper = reapers[i % 2];
        sweeps.add(sweepers.submit(() -> {
          go.await();
          return reaper.sweep();
        }));
      }
      go.countDown();
      for (Future<Integer> sweep : sweeps) {
        sweep.get();
      }
      Await.until("every silent try is failed", Duration.ofSeconds(30), () -> {
        for (int i = 0; i < 8; i++) {
          if (!stateIs("replicated_silent_" + i, "FAILED")) {
            return false;
          }
        }
        return true;
      });
      for (int i = 0; i < 8; i++) {
        assertEquals(1, endings("replicated_silent_" + i), "try " + i + " was ended by exactly one replica, once");
      }
      assertEquals(0, env.count("select count(*) from issued_certificate c join task_instance ti"
          + " on ti.id = c.task_instance_id where ti.task_id like 'replicated_silent_%' and c.revoked_at is null"));
    } finally {
      sweepers.shutdownNow();
      tasks.forEach(TestTask::close);
      replica.close();
    }
  }

  /**
   * Waits until no try of this database is running or enrolled, so the sweeps that keep running
   * in the background have nothing left to end: what a refusal is checked against then changes only
   * if the refusal changes it. (The tries other tests left running are ended within the timeout.)
   */
  private static void awaitNothingLeftToEnd() throws InterruptedException {
    Await.until("no try is left for the sweep to end", Duration.ofSeconds(30), () -> {
      try {
        return env.count("select count(*) from task_instance where state = 'RUNNING'"
            + " or (state = 'QUEUED' and enrolled_at is not null)") == 0;
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static boolean stateIs(String taskId, String expected) {
    try {
      return state(taskId).equals(expected);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

}

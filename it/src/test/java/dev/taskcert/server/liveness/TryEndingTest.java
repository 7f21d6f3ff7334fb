package dev.taskcert.server.liveness;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.EndTryResponse;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesResponse;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.ca.v1.EnrollResponse;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.Enrollment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every way a try is ended from outside it — an admin ending it, its dag run ending, its maximum
 * duration running out — revokes its certificates, so a copy of its key stops working at once;
 * and revoking one serial revokes the certificates renewed from it.
 */
class TryEndingTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static final GetVariableRequest OWN_VARIABLE =
      GetVariableRequest.newBuilder().setKey(DemoData.ANALYTICS.ownVariable()).build();

  private static QueuedTry queue(String dagId, String runId, String taskId) {
    return env.dev().taskQueue().queue(dagId, runId, taskId, -1, 1, null);
  }

  private static TaskTryRef ref(TaskIdentity identity) {
    return TaskTryRef.newBuilder().setDagId(identity.dagId()).setRunId(identity.runId()).setTaskId(identity.taskId())
        .setMapIndex(identity.mapIndex()).setTryNumber(identity.tryNumber()).build();
  }

  private static long liveCertificates(TestTask task) throws Exception {
    return env.count("select count(*) from issued_certificate where spiffe_id = '" + task.spiffeId()
        + "' and revoked_at is null");
  }

  private static String stateOf(TaskIdentity identity) throws Exception {
    long code = env.count("select case ti.state when 'FAILED' then 1 when 'SUCCESS' then 2 when 'SKIPPED' then 3"
        + " when 'RUNNING' then 4 when 'QUEUED' then 5 else 0 end from task_instance ti join dag_run r"
        + " on r.id = ti.dag_run_id where r.dag_id = '" + identity.dagId() + "' and r.run_id = '" + identity.runId()
        + "' and ti.task_id = '" + identity.taskId() + "'");
    return List.of("OTHER", "FAILED", "SUCCESS", "SKIPPED", "RUNNING", "QUEUED").get((int) code);
  }

  private static RenewRequest renewal() {
    return RenewRequest.newBuilder()
        .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build();
  }

  @Test
  void anAdminEndsARunningTryAndItsKeyStopsWorking() throws Exception {
    QueuedTry queued = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "ended_by_admin");
    try (TestTask task = env.startTask(queued)) {
      task.variables().getVariable(OWN_VARIABLE);

      EndTryResponse ended = env.admin().endTry(EndTryRequest.newBuilder().setTaskTry(ref(queued.identity()))
          .setState(TaskState.TASK_STATE_FAILED).setReason("suspected key theft").build());

      assertEquals(TaskState.TASK_STATE_RUNNING, ended.getPreviousState());
      assertEquals(1, ended.getRevokedSerialHexCount());
      assertEquals("FAILED", stateOf(queued.identity()));
      assertEquals(0, liveCertificates(task));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.variables().getVariable(OWN_VARIABLE));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.ca().renew(renewal()));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.taskInstances().heartbeat(
          HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build()));
      assertTrue(env.audit(20).stream().anyMatch(event -> event.kind().equals("end")
          && event.resource().endsWith("/ended_by_admin/-1/1") && event.detail().contains("RUNNING -> FAILED")
          && event.detail().contains("suspected key theft")), "the ending is audited");
    }
  }

  @Test
  void endingATryThatIsNotCurrentOrNotLiveIsRefusedWithoutChange() throws Exception {
    QueuedTry first = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "end_refusals");
    QueuedTry second = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "end_refusals");
    EndTryRequest superseded = EndTryRequest.newBuilder().setTaskTry(ref(first.identity()))
        .setState(TaskState.TASK_STATE_FAILED).build();
    refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> env.admin().endTry(superseded));

    EndTryRequest current = EndTryRequest.newBuilder().setTaskTry(ref(second.identity()))
        .setState(TaskState.TASK_STATE_SKIPPED).build();
    assertEquals(TaskState.TASK_STATE_QUEUED, env.admin().endTry(current).getPreviousState());
    refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> env.admin().endTry(current));

    EndTryRequest missing = EndTryRequest.newBuilder().setTaskTry(ref(second.identity()).toBuilder()
        .setTaskId("no_such_task")).setState(TaskState.TASK_STATE_FAILED).build();
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> env.admin().endTry(missing));

    QueuedTry live = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "end_bad_state");
    for (TaskState state : List.of(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_QUEUED,
        TaskState.TASK_STATE_UNSPECIFIED, TaskState.TASK_STATE_DEFERRED)) {
      EndTryRequest badState = EndTryRequest.newBuilder().setTaskTry(ref(live.identity())).setState(state).build();
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().endTry(badState));
    }
    EndTryRequest noTry = EndTryRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build();
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().endTry(noTry));
  }

  @Test
  void failingADagRunEndsItsTriesAsAirflowDoesAndRevokesTheirCertificates() throws Exception {
    String runId = "manual__run_failed";
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(runId).build());
    QueuedTry running = queue(DemoData.ANALYTICS.dagId(), runId, "running_when_run_fails");
    QueuedTry enrolled = queue(DemoData.ANALYTICS.dagId(), runId, "enrolled_when_run_fails");
    try (TestTask task = env.startTask(running);
        dev.taskcert.supervisor.TaskSession waiting = dev.taskcert.supervisor.TaskSession.open(
            env.supervisorConfig(), enrolled.enrollmentToken(), new SecureRandom())) {
      task.variables().getVariable(OWN_VARIABLE);

      int ended = env.admin().setDagRunState(SetDagRunStateRequest.newBuilder()
          .setDagId(DemoData.ANALYTICS.dagId()).setRunId(runId).setState("failed").build()).getEndedTries();

      assertEquals(2, ended);
      assertEquals("FAILED", stateOf(running.identity()));
      assertEquals("SKIPPED", stateOf(enrolled.identity()));
      assertEquals(0, env.count("select count(*) from issued_certificate c join task_instance ti"
          + " on ti.id = c.task_instance_id join dag_run r on r.id = ti.dag_run_id where r.run_id = '" + runId
          + "' and c.revoked_at is null"));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.variables().getVariable(OWN_VARIABLE));
      refusedWithoutChange(env, dev.taskcert.supervisor.TaskcertException.NotAuthenticated.class,
          Status.Code.UNAUTHENTICATED, () -> waiting.client().startTask("worker-2", 7, "airflow"));
    }
  }

  @Test
  void aSuccessfulDagRunMarksItsUnfinishedTriesSuccessAndARunningRunEndsNothing() throws Exception {
    String runId = "manual__run_succeeds";
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(runId).build());
    QueuedTry running = queue(DemoData.ANALYTICS.dagId(), runId, "running_when_run_succeeds");
    try (TestTask task = env.startTask(running)) {
      assertEquals(0, env.admin().setDagRunState(SetDagRunStateRequest.newBuilder()
          .setDagId(DemoData.ANALYTICS.dagId()).setRunId(runId).setState("running").build()).getEndedTries());
      assertEquals("RUNNING", stateOf(running.identity()));
      task.variables().getVariable(OWN_VARIABLE);

      assertEquals(1, env.admin().setDagRunState(SetDagRunStateRequest.newBuilder()
          .setDagId(DemoData.ANALYTICS.dagId()).setRunId(runId).setState("success").build()).getEndedTries());
      assertEquals("SUCCESS", stateOf(running.identity()));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.variables().getVariable(OWN_VARIABLE));
    }
  }

  @Test
  void revokingASerialRevokesEveryCertificateRenewedFromItAndNothingElse() throws Exception {
    QueuedTry queued = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "revoked_lineage");
    try (TestTask task = env.startTask(queued)) {
      String enrolled = task.session().credentials().serialHex();
      String sibling = task.ca().renew(renewal()).getSerialHex();
      TaskCredentials child = renewWith(task.session().credentials());
      TaskCredentials grandchild = renewWith(child);
      assertEquals(4, liveCertificates(task));

      RevokeCertificatesResponse middle = env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
          .addSerialHex(child.serialHex()).setReason("leaked").build());
      assertEquals(Set.of(child.serialHex(), grandchild.serialHex()), Set.copyOf(middle.getRevokedSerialHexList()));
      assertEquals(2, liveCertificates(task), "the certificate it was renewed from, and its sibling, stay valid");

      RevokeCertificatesResponse root = env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
          .addSerialHex(enrolled).setReason("leaked").build());
      assertEquals(Set.of(enrolled, sibling), Set.copyOf(root.getRevokedSerialHexList()));
      assertEquals(0, liveCertificates(task));
    }
  }

  /** Renews over a channel authenticated with {@code credentials}, as a stolen key would. */
  private static TaskCredentials renewWith(TaskCredentials credentials) {
    ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), credentials);
    try {
      return Enrollment.renew(channel, Duration.ofSeconds(10), new SecureRandom());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void noCertificateOutlivesTheTrysMaximumDuration() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("short_tries").setBundle("analytics-dags")
        .setMaxTryDurationSeconds(120).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("short_tries").setRunId("r1").build());
    QueuedTry queued = queue("short_tries", "r1", "bounded");
    try (TestTask task = env.startTask(queued)) {
      Instant deadline = Instant.now().plusSeconds(121);
      assertTrue(task.session().credentials().notAfter().isBefore(deadline),
          "the enrolled certificate ends with the DAG's 120 s bound, not the 10 minute lifetime: "
              + task.session().credentials().notAfter());
      EnrollResponse renewed = task.ca().renew(renewal());
      assertTrue(Instant.ofEpochSecond(renewed.getNotAfter().getSeconds()).isBefore(deadline));

      // As if the try had enrolled two days ago: its time is spent, so nothing is issued any more.
      try (var connection = env.instance(javax.sql.DataSource.class).getConnection();
          var statement = connection.createStatement()) {
        statement.executeUpdate("update task_instance set enrolled_at = now() - interval '2 days' where task_id = 'bounded'");
        connection.commit();
      }
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.ca().renew(renewal()));
    }
  }

  @Test
  void aDagsMaximumTryDurationMustBeWithinBounds() throws Exception {
    for (long seconds : new long[] {-1, Duration.ofDays(8).toSeconds()}) {
      RegisterDagRequest request = RegisterDagRequest.newBuilder().setDagId("bad_bound").setBundle("analytics-dags")
          .setMaxTryDurationSeconds(seconds).build();
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().registerDag(request));
    }
  }
}

package dev.taskcert.server.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.RegisterAssetRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.server.config.TryLiveness;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.AssetEvent;
import dev.taskcert.supervisor.client.AssetEventFilter;
import dev.taskcert.supervisor.client.AssetKey;
import dev.taskcert.supervisor.client.AssetOutletEvent;
import dev.taskcert.supervisor.client.ExecutionClient;
import dev.taskcert.supervisor.client.StartedTask;
import dev.taskcert.supervisor.client.TerminalState;
import dev.taskcert.supervisor.client.Trigger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stock Airflow operators, played through the Java supervisor library against a real server: a
 * deferrable operator that resumes in the same try with its next method, a reschedule-mode sensor,
 * an ExternalTaskSensor reading another DAG of its team (and refused another team's), a
 * TriggerDagRunOperator, an asset outlet whose event a downstream task reads, and a success
 * callback reading a connection inside the post-terminal grace and refused after it.
 */
class AirflowOperatorsScenarioTest {
  private static final Duration GRACE = Duration.ofSeconds(3);
  private static final String HOST = "worker-7";
  private static final int PID = 4711;
  private static final String DOWNSTREAM_DAG = "analytics_reporting";
  private static final String DOWNSTREAM_RUN = "scheduled__2026-11-25T00:00:00+00:00";

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder.liveness(new TryLiveness(
      TryLiveness.DEFAULT_HEARTBEAT_TIMEOUT, Duration.ofSeconds(15), Duration.ofHours(24), GRACE)));

  @BeforeAll
  static void world() {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(DOWNSTREAM_DAG).setBundle("analytics-dags").build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(DOWNSTREAM_DAG).setRunId(DOWNSTREAM_RUN).build());
    env.admin().setConnection(AdminSetConnectionRequest.newBuilder().setConnId("reporting_db").setTeam("analytics")
        .setConnType("postgres").setHost("reporting.analytics.example").setLogin("reporter").setPassword("s3cret")
        .setPort(5432).build());
    env.assetAdmin().registerAsset(RegisterAssetRequest.newBuilder().setName("daily_events")
        .setUri("s3://analytics/daily_events").setTeam("analytics").build());
  }

  private static QueuedTry queue(String dagId, String runId, String taskId) {
    return env.dev().taskQueue().queue(dagId, runId, taskId, -1, 2, null);
  }

  private static TaskSession open(String token) throws Exception {
    return TaskSession.open(env.supervisorConfig(), token, new SecureRandom());
  }

  private static TaskTryRef ref(TaskIdentity id) {
    return TaskTryRef.newBuilder().setDagId(id.dagId()).setRunId(id.runId()).setTaskId(id.taskId())
        .setMapIndex(id.mapIndex()).setTryNumber(id.tryNumber()).build();
  }

  private static ResumeTaskInstanceResponse resume(QueuedTry queued) {
    return env.admin().resumeTaskInstance(ResumeTaskInstanceRequest.newBuilder().setTaskTry(ref(queued.identity()))
        .build());
  }

  @Test
  void aDeferrableOperatorResumesInTheSameTryWithItsNextMethod() throws Exception {
    QueuedTry queued = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "wait_for_partition");
    try (TaskSession session = open(queued.enrollmentToken())) {
      StartedTask first = session.client().startTask(HOST, PID, "airflow");
      assertEquals(Optional.empty(), first.context().nextMethod());
      session.client().deferTask(new Trigger("airflow.triggers.temporal.DateTimeTrigger",
          "{\"moment\": \"2026-11-29T12:00:00Z\"}", "execute_complete", "{\"event\": \"fired\"}", Optional.empty()));
    }
    ResumeTaskInstanceResponse resumed = resume(queued);
    try (TaskSession session = open(resumed.getEnrollmentToken())) {
      StartedTask again = session.client().startTask(HOST, PID, "airflow");
      assertEquals(queued.identity().tryNumber(), again.tryNumber(), "the same try resumes: no retry is spent");
      assertEquals(Optional.of("execute_complete"), again.context().nextMethod());
      assertEquals(Optional.of("{\"event\": \"fired\"}"), again.context().nextKwargsJson());
      session.client().finishTask(TerminalState.SUCCESS);
    }
  }

  @Test
  void aRescheduleModeSensorPokesAgainInTheSameTry() throws Exception {
    QueuedTry queued = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "poke_for_file");
    try (TaskSession session = open(queued.enrollmentToken())) {
      session.client().startTask(HOST, PID, "airflow");
      session.client().rescheduleTask(Instant.now().plusSeconds(60));
    }
    ResumeTaskInstanceResponse resumed = resume(queued);
    try (TaskSession session = open(resumed.getEnrollmentToken())) {
      StartedTask again = session.client().startTask(HOST, PID, "airflow");
      assertEquals(queued.identity().tryNumber(), again.tryNumber());
      assertEquals(1, again.context().taskRescheduleCount());
      assertTrue(session.client().rescheduleStartDate().isPresent(), "the first poke's start is kept");
      session.client().finishTask(TerminalState.SUCCESS);
    }
  }

  @Test
  void anExternalTaskSensorReadsAnotherDagOfItsTeamAndNotAnotherTeams() throws Exception {
    QueuedTry upstream = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "load_events");
    try (TaskSession session = open(upstream.enrollmentToken())) {
      session.client().startTask(HOST, PID, "airflow");
      session.client().finishTask(TerminalState.SUCCESS);
    }
    QueuedTry sensor = queue(DOWNSTREAM_DAG, DOWNSTREAM_RUN, "wait_for_load_events");
    try (TaskSession session = open(sensor.enrollmentToken())) {
      ExecutionClient client = session.client();
      client.startTask(HOST, PID, "airflow");
      var states = client.getTaskInstanceStates(dev.taskcert.proto.execution.v1.GetTaskInstanceStatesRequest
          .newBuilder().setDagId(DemoData.ANALYTICS.dagId()).addRunIds(DemoData.RUN_ID).addTaskIds("load_events")
          .build());
      assertEquals(dev.taskcert.proto.execution.v1.TaskState.TASK_STATE_SUCCESS,
          states.get(DemoData.RUN_ID).values().iterator().next());
      assertEquals("running", client.getDagRunState(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID));

      TaskcertException refused = assertThrows(TaskcertException.class,
          () -> client.getDagRunState(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID));
      assertEquals(io.grpc.Status.Code.NOT_FOUND, refused.code(), "another team's DAG reads as absent");
      client.finishTask(TerminalState.SUCCESS);
    }
  }

  @Test
  void aTriggerDagRunOperatorStartsARunOfItsTeamsDag() throws Exception {
    QueuedTry trigger = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "trigger_reporting");
    try (TaskSession session = open(trigger.enrollmentToken())) {
      ExecutionClient client = session.client();
      client.startTask(HOST, PID, "airflow");
      assertEquals(false, client.triggerDagRun(DOWNSTREAM_DAG, "manual__triggered_by_analytics", Optional.empty(),
          "{\"source\": \"analytics_daily\"}", false), "a new run, not a cleared one");
      assertEquals("queued", client.getDagRunState(DOWNSTREAM_DAG, "manual__triggered_by_analytics"));
      TaskcertException refused = assertThrows(TaskcertException.class, () -> client.triggerDagRun(
          DemoData.PAYMENTS.dagId(), "manual__not_ours", Optional.empty(), "{}", false));
      assertEquals(io.grpc.Status.Code.NOT_FOUND, refused.code());
      client.finishTask(TerminalState.SUCCESS);
    }
  }

  @Test
  void anAssetOutletsEventIsReadByADownstreamTask() throws Exception {
    AssetKey asset = AssetKey.byName("daily_events");
    QueuedTry producer = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "publish_daily_events");
    try (TaskSession session = open(producer.enrollmentToken())) {
      session.client().startTask(HOST, PID, "airflow");
      session.client().succeedTask(List.of(new AssetOutletEvent(asset, "{\"rows\": 42}", Optional.empty())));
    }
    QueuedTry consumer = queue(DOWNSTREAM_DAG, DOWNSTREAM_RUN, "read_daily_events");
    try (TaskSession session = open(consumer.enrollmentToken())) {
      session.client().startTask(HOST, PID, "airflow");
      List<AssetEvent> events = session.client().getAssetEvents(asset, AssetEventFilter.all());
      assertTrue(events.stream().anyMatch(event -> event.extraJson().contains("42")
          && event.source().map(source -> source.taskId().equals("publish_daily_events")).orElse(false)), events.toString());
      session.client().finishTask(TerminalState.SUCCESS);
    }
  }

  @Test
  void aSuccessCallbackReadsAConnectionInsideTheGraceAndIsRefusedAfterIt() throws Exception {
    QueuedTry queued = queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "report_with_callback");
    try (TaskSession session = open(queued.enrollmentToken())) {
      session.client().startTask(HOST, PID, "airflow");
      session.client().finishTask(TerminalState.SUCCESS);
      // on_success_callback runs after the state is reported, as Airflow's finalize() does.
      assertEquals("reporting.analytics.example", session.client().getConnection("reporting_db").host());
      Thread.sleep(GRACE.plusSeconds(1).toMillis());
      TaskcertException late = assertThrows(TaskcertException.class,
          () -> session.client().getConnection("reporting_db"));
      assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, late.code(), late.toString());
    }
  }
}

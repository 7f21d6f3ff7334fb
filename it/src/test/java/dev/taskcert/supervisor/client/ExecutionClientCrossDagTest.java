package dev.taskcert.supervisor.client;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceCountRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesRequest;
import dev.taskcert.proto.execution.v1.SkippedTask;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dag run, task instance query and own-try detail methods of {@link ExecutionClient} against a real server. */
class ExecutionClientCrossDagTest {
  private static final String DAG = "client_cross_dag";
  private static final String FOREIGN = "client_foreign_dag";
  private static final String RUN = "scheduled__2026-02-02";
  private static final Instant LOGICAL_DATE = Instant.parse("2026-02-02T00:00:00Z");

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @BeforeAll
  static void start() {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(DAG).setBundle("analytics-dags").build());
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(FOREIGN).setBundle("payments-dags").build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(DAG).setRunId("scheduled__2026-02-01")
        .setLogicalDate(timestamp(LOGICAL_DATE.minusSeconds(86_400))).build());
    env.admin().setDagRunState(SetDagRunStateRequest.newBuilder().setDagId(DAG).setRunId("scheduled__2026-02-01")
        .setState("success").build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(DAG).setRunId(RUN)
        .setLogicalDate(timestamp(LOGICAL_DATE)).build());
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  private static TaskSession started(String taskId, int mapIndex) throws Exception {
    QueuedTry queued = env.dev().taskQueue().queue(DAG, RUN, taskId, mapIndex, 2, null);
    TaskSession session = TaskSession.open(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom());
    session.client().startTask("worker-9", 4711, "airflow");
    return session;
  }

  @Test
  void dagRunsAreReadTriggeredAndCleared() throws Exception {
    try (TaskSession session = started("run_reader", -1)) {
      ExecutionClient client = session.client();
      assertEquals("running", client.getDagRunState(DAG, RUN));
      assertEquals(RUN, client.getDagRun(DAG, RUN).getRunId());
      assertEquals(2, client.getDagRunCount(DAG, List.of(), List.of(), List.of()));
      assertEquals(1, client.getDagRunCount(DAG, List.of(LOGICAL_DATE), List.of(), List.of("running")));
      assertEquals("scheduled__2026-02-01", client.getPreviousDagRun(DAG, LOGICAL_DATE, "success").orElseThrow().getRunId());
      assertFalse(client.isDagPaused(DAG));
      assertFalse(client.triggerDagRun(DAG, "manual__java", Optional.empty(), "{\"a\": 1}", false));
      refusedWithoutChange(env, TaskcertException.Failed.class, Status.Code.ALREADY_EXISTS,
          () -> client.triggerDagRun(DAG, "manual__java", Optional.empty(), "{}", false));
      assertTrue(client.triggerDagRun(DAG, "manual__java", Optional.empty(), "{}", true));
      assertEquals(0, client.clearDagRun(DAG, "manual__java"));
      refusedWithoutChange(env, TaskcertException.NotFound.class, Status.Code.NOT_FOUND,
          () -> client.getDagRunState(FOREIGN, RUN));
      refusedWithoutChange(env, TaskcertException.NotFound.class, Status.Code.NOT_FOUND,
          () -> client.triggerDagRun(FOREIGN, "manual__java", Optional.empty(), "{}", false));
    }
  }

  @Test
  void taskInstancesOfADagAreCountedAndListed() throws Exception {
    try (TaskSession mapped = started("fan", 3)) {
      mapped.client().finishTask(TerminalState.SUCCESS);
    }
    try (TaskSession session = started("ti_reader", -1)) {
      ExecutionClient client = session.client();
      assertEquals(1, client.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(DAG)
          .addTaskIds("fan").addStates(TaskState.TASK_STATE_SUCCESS).build()));
      Map<String, Map<String, TaskState>> states = client.getTaskInstanceStates(
          GetTaskInstanceStatesRequest.newBuilder().setDagId(DAG).addRunIds(RUN).build());
      assertEquals(TaskState.TASK_STATE_SUCCESS, states.get(RUN).get("fan_3"));
      assertEquals(TaskState.TASK_STATE_RUNNING, states.get(RUN).get("ti_reader"));
      assertEquals(3, client.getPreviousTaskInstance(GetPreviousTaskInstanceRequest.newBuilder().setDagId(DAG)
          .setTaskId("fan").setMapIndex(3).setHasMapIndex(true).build()).orElseThrow().getMapIndex());
      assertEquals(List.of("fan"), client.getTaskBreadcrumbs(DAG, RUN).stream().map(ti -> ti.getTaskId()).toList());
    }
  }

  @Test
  void ownTryDetailsAndSkipsByMapIndex() throws Exception {
    env.dev().taskQueue().queue(DAG, RUN, "fan_out", 0, 1, null);
    env.dev().taskQueue().queue(DAG, RUN, "fan_out", 1, 1, null);
    try (TaskSession session = started("brancher", -1)) {
      ExecutionClient client = session.client();
      client.setRenderedMapIndex("region=eu");
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'brancher'"
          + " and rendered_map_index = 'region=eu'"));
      assertEquals(Optional.empty(), client.rescheduleStartDate());
      assertEquals(1, client.skipDownstream(List.of(),
          List.of(SkippedTask.newBuilder().setTaskId("fan_out").setMapIndex(1).build())));
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'fan_out' and state = 'QUEUED'"));
      var previous = client.previousSuccessfulDagRunWithDates();
      assertEquals("scheduled__2026-02-01", previous.getDagRun().getRunId());
      assertTrue(previous.hasStartDate() && previous.hasEndDate());
    }
  }
}

package dev.taskcert.server.dagrun;

import static dev.taskcert.server.dagrun.CrossDagWorld.ABSENT;
import static dev.taskcert.server.dagrun.CrossDagWorld.FOREIGN;
import static dev.taskcert.server.dagrun.CrossDagWorld.GLOBAL;
import static dev.taskcert.server.dagrun.CrossDagWorld.OWN;
import static dev.taskcert.server.dagrun.CrossDagWorld.SHARED;
import static dev.taskcert.server.dagrun.CrossDagWorld.day;
import static dev.taskcert.server.dagrun.CrossDagWorld.runId;
import static dev.taskcert.server.dagrun.CrossDagWorld.ts;
import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.execution.v1.ClearDagRunRequest;
import dev.taskcert.proto.execution.v1.DagRunsGrpc;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetDagRunCountRequest;
import dev.taskcert.proto.execution.v1.GetDagRunRequest;
import dev.taskcert.proto.execution.v1.GetDagRunStateRequest;
import dev.taskcert.proto.execution.v1.GetDagStateRequest;
import dev.taskcert.proto.execution.v1.GetPreviousDagRunRequest;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.TriggerDagRunRequest;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dag runs as a task reads, triggers and clears them: its own team's DAGs, global DAGs and DAGs
 * that declare its team are reachable; another team's undeclared DAG answers exactly as a DAG that
 * does not exist, and every refusal leaves the database as it was.
 */
class DagRunsTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @BeforeAll
  static void world() {
    CrossDagWorld.create(env);
  }

  private static GetDagRunRequest run(String dagId, int day) {
    return GetDagRunRequest.newBuilder().setDagId(dagId).setRunId(runId(day)).build();
  }

  @Test
  void readsRunsOfItsOwnTeamsGlobalAndDeclaringDags() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "reader")) {
      for (String dagId : List.of(OWN, GLOBAL, SHARED)) {
        var dagRun = task.dagRuns().getDagRun(run(dagId, 2)).getDagRun();
        assertEquals(dagId, dagRun.getDagId());
        assertEquals(runId(2), dagRun.getRunId());
        assertEquals("failed", dagRun.getState());
        assertEquals(ts(day(2)), dagRun.getLogicalDate());
        assertEquals("{\"day\": 2}", dagRun.getConfJson());
        assertTrue(dagRun.hasEndDate(), "a failed run has ended");
        assertEquals("running", task.dagRuns().getDagRunState(GetDagRunStateRequest.newBuilder()
            .setDagId(dagId).setRunId(runId(3)).build()).getState());
        DagRunsGrpc.DagRunsBlockingStub runs = task.dagRuns();
        assertEquals(3, runs.getDagRunCount(GetDagRunCountRequest.newBuilder().setDagId(dagId).build()).getCount());
        assertEquals(2, runs.getDagRunCount(GetDagRunCountRequest.newBuilder().setDagId(dagId)
            .addStates("success").addStates("running").build()).getCount());
        assertEquals(1, runs.getDagRunCount(GetDagRunCountRequest.newBuilder().setDagId(dagId)
            .addLogicalDates(ts(day(1))).addLogicalDates(ts(day(2))).addStates("success").build()).getCount());
        assertEquals(2, runs.getDagRunCount(GetDagRunCountRequest.newBuilder().setDagId(dagId)
            .addRunIds(runId(1)).addRunIds(runId(3)).addRunIds("unknown").build()).getCount());
        var previous = runs.getPreviousDagRun(GetPreviousDagRunRequest.newBuilder().setDagId(dagId)
            .setLogicalDate(ts(day(3))).build());
        assertEquals(runId(2), previous.getDagRun().getRunId());
        var previousSuccess = runs.getPreviousDagRun(GetPreviousDagRunRequest.newBuilder().setDagId(dagId)
            .setLogicalDate(ts(day(3))).setState("success").build());
        assertEquals(runId(1), previousSuccess.getDagRun().getRunId());
        assertFalse(runs.getPreviousDagRun(GetPreviousDagRunRequest.newBuilder().setDagId(dagId)
            .setLogicalDate(ts(day(1))).build()).hasDagRun());
      }
      assertTrue(task.dagRuns().getDagState(GetDagStateRequest.newBuilder().setDagId(GLOBAL).build()).getIsPaused());
      assertFalse(task.dagRuns().getDagState(GetDagStateRequest.newBuilder().setDagId(OWN).build()).getIsPaused());
      assertEquals(0, task.dagRuns().getDagRunCount(GetDagRunCountRequest.newBuilder().setDagId(OWN)
          .addStates("queued").build()).getCount());
    }
  }

  @Test
  void anotherTeamsUndeclaredDagReadsExactlyAsAnAbsentOne() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "prober")) {
      List<Function<String, Object>> reads = List.of(
          dagId -> task.dagRuns().getDagRun(run(dagId, 1)),
          dagId -> task.dagRuns().getDagRunState(GetDagRunStateRequest.newBuilder().setDagId(dagId).setRunId(runId(1)).build()),
          dagId -> task.dagRuns().getDagRunCount(GetDagRunCountRequest.newBuilder().setDagId(dagId).build()),
          dagId -> task.dagRuns().getPreviousDagRun(GetPreviousDagRunRequest.newBuilder().setDagId(dagId)
              .setLogicalDate(ts(day(3))).build()),
          dagId -> task.dagRuns().getDagState(GetDagStateRequest.newBuilder().setDagId(dagId).build()),
          dagId -> task.dagRuns().clearDagRun(ClearDagRunRequest.newBuilder().setDagId(dagId).setRunId(runId(1)).build()),
          dagId -> task.dagRuns().triggerDagRun(TriggerDagRunRequest.newBuilder().setDagId(dagId).setRunId("new").build()));
      for (Function<String, Object> read : reads) {
        Status foreign = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> read.apply(FOREIGN));
        Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> read.apply(ABSENT));
        assertEquals("DAG '" + FOREIGN + "' not found", foreign.getDescription());
        assertEquals("DAG '" + ABSENT + "' not found", absent.getDescription());
        AuditEventRow denial = env.audit(1).get(0);
        assertEquals("deny", denial.kind());
        assertTrue(denial.detail().contains("team 'payments'"), denial.detail());
      }
      // A missing run of a readable DAG is NOT_FOUND too.
      Status missingRun = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.dagRuns().getDagRun(
          GetDagRunRequest.newBuilder().setDagId(OWN).setRunId("missing").build()));
      assertEquals("dag run 'missing' of DAG '" + OWN + "' not found", missingRun.getDescription());
    }
  }

  @Test
  void triggerCreatesAQueuedRunAndRefusesAnExistingOneUnlessReset() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "triggerer")) {
      assertFalse(task.dagRuns().triggerDagRun(TriggerDagRunRequest.newBuilder().setDagId(SHARED).setRunId("manual__t1")
          .setLogicalDate(ts(day(5))).setConfJson("{\"source\": \"analytics\"}").build()).getCleared());
      var created = task.dagRuns().getDagRun(GetDagRunRequest.newBuilder().setDagId(SHARED).setRunId("manual__t1").build())
          .getDagRun();
      assertEquals("queued", created.getState());
      assertEquals("manual", created.getRunType());
      assertEquals(ts(day(5)), created.getLogicalDate());
      assertEquals("{\"source\": \"analytics\"}", created.getConfJson());
      AuditEventRow audited = env.audit(1).get(0);
      assertEquals("trigger", audited.kind());
      assertEquals("dag_run:" + SHARED + "/manual__t1", audited.resource());

      Status exists = refusedWithoutChange(env, Status.Code.ALREADY_EXISTS, () -> task.dagRuns().triggerDagRun(
          TriggerDagRunRequest.newBuilder().setDagId(SHARED).setRunId("manual__t1").build()));
      assertEquals("dag run 'manual__t1' of DAG '" + SHARED + "' already exists", exists.getDescription());
      refusedWithoutChange(env, Status.Code.ALREADY_EXISTS, () -> task.dagRuns().triggerDagRun(
          TriggerDagRunRequest.newBuilder().setDagId(SHARED).setRunId("manual__other_date").setLogicalDate(ts(day(5))).build()));

      env.admin().setDagRunState(dev.taskcert.proto.admin.v1.SetDagRunStateRequest.newBuilder().setDagId(SHARED)
          .setRunId("manual__t1").setState("failed").build());
      assertTrue(task.dagRuns().triggerDagRun(TriggerDagRunRequest.newBuilder().setDagId(SHARED).setRunId("manual__t1")
          .setResetDagRun(true).build()).getCleared());
      assertEquals("queued", task.dagRuns().getDagRunState(GetDagRunStateRequest.newBuilder().setDagId(SHARED)
          .setRunId("manual__t1").build()).getState());
      assertEquals(0, env.count("select count(*) from dag_run where dag_id = '" + SHARED
          + "' and run_id = 'manual__t1' and end_date is not null"));

      // The caller's own team's DAG can be triggered without a declaration.
      task.dagRuns().triggerDagRun(TriggerDagRunRequest.newBuilder().setDagId(OWN).setRunId("manual__own").build());
      assertEquals(1, env.count("select count(*) from dag_run where dag_id = '" + OWN + "' and run_id = 'manual__own'"
          + " and state = 'queued' and logical_date is null"));
    }
  }

  @Test
  void aGlobalDagIsReadableButNotTriggerableByATeamsTask() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "global_triggerer")) {
      Status denied = refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.dagRuns().triggerDagRun(
          TriggerDagRunRequest.newBuilder().setDagId(GLOBAL).setRunId("manual__g").build()));
      assertEquals("DAG '" + GLOBAL + "' is global and may not be triggered by team 'analytics'", denied.getDescription());
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.dagRuns().clearDagRun(
          ClearDagRunRequest.newBuilder().setDagId(GLOBAL).setRunId(runId(1)).build()));
    }
  }

  @Test
  void clearingARunRequeuesItAndEndsItsUnfinishedTries() throws Exception {
    String runId = "manual__to_clear";
    try (TestTask task = CrossDagWorld.analyticsTask(env, "clearer")) {
      task.dagRuns().triggerDagRun(TriggerDagRunRequest.newBuilder().setDagId(OWN).setRunId(runId).build());
      try (TestTask inRun = env.startTaskWithToken(CrossDagWorld.queue(env, OWN, runId, "worker", -1))) {
        assertEquals(1, task.dagRuns().clearDagRun(ClearDagRunRequest.newBuilder().setDagId(OWN).setRunId(runId).build())
            .getEndedTries());
        assertEquals(1, env.count("select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id"
            + " where r.run_id = '" + runId + "' and ti.task_id = 'worker' and ti.state = 'UP_FOR_RETRY'"));
        assertEquals(0, env.count("select count(*) from issued_certificate c join task_instance ti"
            + " on ti.id = c.task_instance_id join dag_run r on r.id = ti.dag_run_id where r.run_id = '" + runId
            + "' and c.revoked_at is null"));
        // The ended try's certificate is revoked.
        refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> inRun.taskInstances()
            .getPreviousSuccessfulDagRun(GetPreviousSuccessfulDagRunRequest.getDefaultInstance()));
      }
      Status missing = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.dagRuns().clearDagRun(
          ClearDagRunRequest.newBuilder().setDagId(OWN).setRunId("missing").build()));
      assertEquals("dag run 'missing' of DAG '" + OWN + "' not found", missing.getDescription());
    }
  }

  @Test
  void aTryThatIsNotRunningIsRefusedWithoutChange() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "finished_reader")) {
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.dagRuns().getDagRun(run(OWN, 1)));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.dagRuns().triggerDagRun(
          TriggerDagRunRequest.newBuilder().setDagId(OWN).setRunId("manual__late").build()));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.dagRuns().clearDagRun(
          ClearDagRunRequest.newBuilder().setDagId(OWN).setRunId(runId(1)).build()));
    }
  }

  @Test
  void boundsAndMalformedInputAreInvalidArguments() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "sloppy")) {
      GetDagRunCountRequest.Builder tooMany = GetDagRunCountRequest.newBuilder().setDagId(OWN);
      for (int i = 0; i <= 1000; i++) {
        tooMany.addRunIds("run_" + i);
      }
      assertEquals("run_ids may hold at most 1000 values", refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT,
          () -> task.dagRuns().getDagRunCount(tooMany.build())).getDescription());
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.dagRuns().getDagRunCount(
          GetDagRunCountRequest.newBuilder().setDagId(OWN).addStates("exploded").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.dagRuns().getPreviousDagRun(
          GetPreviousDagRunRequest.newBuilder().setDagId(OWN).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.dagRuns().triggerDagRun(
          TriggerDagRunRequest.newBuilder().setDagId(OWN).setRunId("manual__bad").setConfJson("[1, 2]").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.dagRuns().triggerDagRun(
          TriggerDagRunRequest.newBuilder().setDagId(OWN).setRunId("").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.dagRuns().getDagRun(
          GetDagRunRequest.newBuilder().setDagId("x".repeat(251)).setRunId("r").build()));
    }
  }
}

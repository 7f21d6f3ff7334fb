package dev.taskcert.server.dagrun;

import static dev.taskcert.server.dagrun.CrossDagWorld.ABSENT;
import static dev.taskcert.server.dagrun.CrossDagWorld.FOREIGN;
import static dev.taskcert.server.dagrun.CrossDagWorld.OWN;
import static dev.taskcert.server.dagrun.CrossDagWorld.SHARED;
import static dev.taskcert.server.dagrun.CrossDagWorld.day;
import static dev.taskcert.server.dagrun.CrossDagWorld.runId;
import static dev.taskcert.server.dagrun.CrossDagWorld.ts;
import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceRequest;
import dev.taskcert.proto.execution.v1.GetTaskBreadcrumbsRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceCountRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesRequest;
import dev.taskcert.proto.execution.v1.TaskInstanceSummary;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Task instances of a DAG as another task reads them (ExternalTaskSensor's counts and states, the
 * previous task instance, a run's finished tasks), within the same DAG scope as dag run reads.
 */
class TaskInstanceQueriesTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  /**
   * In each of OWN and SHARED: run 1 has "load" SUCCESS, "grp.a" FAILED, "grp.b" QUEUED and a mapped
   * "fan" with map index 0 SUCCESS and 1 QUEUED; run 2 has "load" SUCCESS.
   */
  @BeforeAll
  static void world() throws Exception {
    CrossDagWorld.create(env);
    for (String dagId : List.of(OWN, SHARED, FOREIGN)) {
      finish(dagId, runId(1), "load", -1, TaskState.TASK_STATE_SUCCESS);
      finish(dagId, runId(1), "grp.a", -1, TaskState.TASK_STATE_FAILED);
      CrossDagWorld.queue(env, dagId, runId(1), "grp.b", -1);
      finish(dagId, runId(1), "fan", 0, TaskState.TASK_STATE_SUCCESS);
      CrossDagWorld.queue(env, dagId, runId(1), "fan", 1);
      finish(dagId, runId(2), "load", -1, TaskState.TASK_STATE_SUCCESS);
    }
  }

  private static void finish(String dagId, String runId, String taskId, int mapIndex, TaskState state) throws Exception {
    try (TestTask task = env.startTaskWithToken(CrossDagWorld.queue(env, dagId, runId, taskId, mapIndex))) {
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(state).build());
    }
  }

  @Test
  void countsAndStatesFollowEveryFilter() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "sensor")) {
      for (String dagId : List.of(OWN, SHARED)) {
        var queries = task.taskInstanceQueries();
        assertEquals(6, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId).build())
            .getCount());
        assertEquals(2, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .addTaskIds("load").addStates(TaskState.TASK_STATE_SUCCESS).build()).getCount());
        assertEquals(1, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .addTaskIds("load").addLogicalDates(ts(day(2))).build()).getCount());
        assertEquals(2, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .setTaskGroupId("grp").addRunIds(runId(1)).build()).getCount());
        assertEquals(1, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .setTaskGroupId("grp").addStates(TaskState.TASK_STATE_FAILED).build()).getCount());
        assertEquals(1, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .addTaskIds("fan").setMapIndex(1).setHasMapIndex(true).build()).getCount());
        assertEquals(4, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .setMapIndex(-1).setHasMapIndex(true).build()).getCount());

        var states = queries.getTaskInstanceStates(GetTaskInstanceStatesRequest.newBuilder().setDagId(dagId)
            .addRunIds(runId(1)).build()).getTaskStatesMap();
        assertEquals(List.of(runId(1)), List.copyOf(states.keySet()));
        assertEquals(Map.of("load", TaskState.TASK_STATE_SUCCESS, "grp.a", TaskState.TASK_STATE_FAILED,
            "grp.b", TaskState.TASK_STATE_QUEUED, "fan_0", TaskState.TASK_STATE_SUCCESS,
            "fan_1", TaskState.TASK_STATE_QUEUED), states.get(runId(1)).getTaskStatesMap());
        var loads = queries.getTaskInstanceStates(GetTaskInstanceStatesRequest.newBuilder().setDagId(dagId)
            .addTaskIds("load").build()).getTaskStatesMap();
        assertEquals(2, loads.size());
        // As Airflow's states read, task ids and a group select together; its count narrows by both.
        var tasksAndGroup = queries.getTaskInstanceStates(GetTaskInstanceStatesRequest.newBuilder().setDagId(dagId)
            .addRunIds(runId(1)).addTaskIds("load").setTaskGroupId("grp").build()).getTaskStatesMap();
        assertEquals(java.util.Set.of("load", "grp.a", "grp.b"), tasksAndGroup.get(runId(1)).getTaskStatesMap().keySet());
        assertEquals(0, queries.getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder().setDagId(dagId)
            .addTaskIds("load").setTaskGroupId("grp").build()).getCount());
      }
    }
  }

  @Test
  void previousTaskInstanceAndBreadcrumbs() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "historian")) {
      var queries = task.taskInstanceQueries();
      TaskInstanceSummary latest = queries.getPreviousTaskInstance(GetPreviousTaskInstanceRequest.newBuilder()
          .setDagId(SHARED).setTaskId("load").build()).getTaskInstance();
      assertEquals(runId(2), latest.getRunId());
      assertEquals(TaskState.TASK_STATE_SUCCESS, latest.getState());
      assertEquals(ts(day(2)), latest.getLogicalDate());
      assertTrue(latest.getHasDuration());
      assertEquals(runId(1), queries.getPreviousTaskInstance(GetPreviousTaskInstanceRequest.newBuilder()
          .setDagId(SHARED).setTaskId("load").setLogicalDate(ts(day(2))).build()).getTaskInstance().getRunId());
      assertFalse(queries.getPreviousTaskInstance(GetPreviousTaskInstanceRequest.newBuilder().setDagId(SHARED)
          .setTaskId("load").setState(TaskState.TASK_STATE_FAILED).build()).hasTaskInstance());
      assertEquals(1, queries.getPreviousTaskInstance(GetPreviousTaskInstanceRequest.newBuilder().setDagId(OWN)
          .setTaskId("fan").setMapIndex(1).setHasMapIndex(true).build()).getTaskInstance().getMapIndex());

      var crumbs = queries.getTaskBreadcrumbs(GetTaskBreadcrumbsRequest.newBuilder().setDagId(OWN).setRunId(runId(1))
          .build()).getBreadcrumbsList();
      assertEquals(List.of("fan/0", "grp.a/-1", "load/-1"),
          crumbs.stream().map(ti -> ti.getTaskId() + "/" + ti.getMapIndex()).toList());
    }
  }

  @Test
  void anotherTeamsUndeclaredDagReadsExactlyAsAnAbsentOne() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "snoop")) {
      List<Function<String, Object>> reads = List.of(
          dagId -> task.taskInstanceQueries().getTaskInstanceCount(GetTaskInstanceCountRequest.newBuilder()
              .setDagId(dagId).build()),
          dagId -> task.taskInstanceQueries().getTaskInstanceStates(GetTaskInstanceStatesRequest.newBuilder()
              .setDagId(dagId).build()),
          dagId -> task.taskInstanceQueries().getPreviousTaskInstance(GetPreviousTaskInstanceRequest.newBuilder()
              .setDagId(dagId).setTaskId("load").build()),
          dagId -> task.taskInstanceQueries().getTaskBreadcrumbs(GetTaskBreadcrumbsRequest.newBuilder()
              .setDagId(dagId).setRunId(runId(1)).build()));
      for (Function<String, Object> read : reads) {
        assertEquals("DAG '" + FOREIGN + "' not found",
            refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> read.apply(FOREIGN)).getDescription());
        assertEquals("deny", env.audit(1).get(0).kind());
        assertEquals("DAG '" + ABSENT + "' not found",
            refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> read.apply(ABSENT)).getDescription());
      }
    }
  }

  @Test
  void aTryThatIsNotRunningAndMalformedFiltersAreRefusedWithoutChange() throws Exception {
    try (TestTask task = CrossDagWorld.analyticsTask(env, "late_sensor")) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstanceQueries().getTaskInstanceCount(
          GetTaskInstanceCountRequest.newBuilder().setDagId(OWN).setMapIndex(-2).setHasMapIndex(true).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstanceQueries().getTaskInstanceCount(
          GetTaskInstanceCountRequest.newBuilder().setDagId(OWN).addStates(TaskState.TASK_STATE_UNSPECIFIED).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstanceQueries().getPreviousTaskInstance(
          GetPreviousTaskInstanceRequest.newBuilder().setDagId(OWN).build()));
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.taskInstanceQueries().getTaskInstanceCount(
          GetTaskInstanceCountRequest.newBuilder().setDagId(OWN).build()));
    }
  }
}

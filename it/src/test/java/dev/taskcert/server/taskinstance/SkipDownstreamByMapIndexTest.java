package dev.taskcert.server.taskinstance;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.DagTask;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.proto.execution.v1.SkippedTask;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SkipDownstream by (task id, map index): only the named map index is skipped, and, as Airflow,
 * task instances that are RUNNING, SUCCESS or FAILED keep their state while others are skipped.
 */
class SkipDownstreamByMapIndexTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static String queue(String dagId, String runId, String taskId, int mapIndex) {
    return env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).setTaskId(taskId).setMapIndex(mapIndex).build()).getEnrollmentToken();
  }

  private static String state(String runId, String taskId, int mapIndex) throws Exception {
    for (String state : new String[] {"QUEUED", "RUNNING", "SKIPPED", "SUCCESS", "FAILED", "UP_FOR_RETRY"}) {
      if (env.count("select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id where r.run_id = '"
          + runId + "' and ti.task_id = '" + taskId + "' and ti.map_index = " + mapIndex + " and ti.state = '" + state + "'") == 1) {
        return state;
      }
    }
    return "none";
  }

  private static SkippedTask ref(String taskId, int mapIndex) {
    return SkippedTask.newBuilder().setTaskId(taskId).setMapIndex(mapIndex).build();
  }

  @Test
  void onlyTheNamedMapIndexesAreSkippedAndRunningOrFinishedOnesKeepTheirState() throws Exception {
    String dagId = DemoData.ANALYTICS.dagId();
    String runId = "manual__skips";
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(dagId).setRunId(runId).build());
    for (int i = 0; i < 3; i++) {
      queue(dagId, runId, "fan", i);
    }
    try (TestTask running = env.startTaskWithToken(queue(dagId, runId, "busy", -1));
        TestTask succeeded = env.startTaskWithToken(queue(dagId, runId, "done", -1));
        TestTask failed = env.startTaskWithToken(queue(dagId, runId, "broken", -1));
        TestTask retrying = env.startTaskWithToken(queue(dagId, runId, "flaky", -1));
        TestTask brancher = env.startTaskWithToken(queue(dagId, runId, "branch", -1))) {
      succeeded.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      failed.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build());
      retrying.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_UP_FOR_RETRY).build());

      assertEquals(2, brancher.taskInstances().skipDownstream(SkipDownstreamRequest.newBuilder()
          .addTasks(ref("fan", 1)).addTasks(ref("busy", -1)).addTasks(ref("done", -1)).addTasks(ref("broken", -1))
          .addTasks(ref("flaky", -1)).addTasks(ref("fan", 7)).build()).getSkippedCount());
      assertEquals("QUEUED", state(runId, "fan", 0));
      assertEquals("SKIPPED", state(runId, "fan", 1));
      assertEquals("QUEUED", state(runId, "fan", 2));
      assertEquals("none", state(runId, "fan", 7));
      assertEquals("RUNNING", state(runId, "busy", -1));
      assertEquals("SUCCESS", state(runId, "done", -1));
      assertEquals("FAILED", state(runId, "broken", -1));
      assertEquals("SKIPPED", state(runId, "flaky", -1));

      // Skipping again changes nothing and counts nothing.
      assertEquals(0, brancher.taskInstances().skipDownstream(SkipDownstreamRequest.newBuilder()
          .addTasks(ref("fan", 1)).build()).getSkippedCount());
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> brancher.taskInstances().skipDownstream(
          SkipDownstreamRequest.newBuilder().addTasks(ref("fan", -2)).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> brancher.taskInstances().skipDownstream(
          SkipDownstreamRequest.newBuilder().addTasks(ref("branch", 0)).build()));
      SkipDownstreamRequest.Builder tooMany = SkipDownstreamRequest.newBuilder().addTaskIds("fan");
      for (int i = 0; i < 1000; i++) {
        tooMany.addTasks(ref("fan", i));
      }
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> brancher.taskInstances().skipDownstream(tooMany.build()));
    }
  }

  @Test
  void aDeclaredStructureCreatesSkippedRowsForTheNamedMapIndexes() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("mapped_pipeline").setBundle("analytics-dags")
        .addTasks(DagTask.newBuilder().setTaskId("pick").addDownstreamTaskIds("fan"))
        .addTasks(DagTask.newBuilder().setTaskId("fan"))
        .addTasks(DagTask.newBuilder().setTaskId("side")).build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("mapped_pipeline").setRunId("r1").build());
    try (TestTask pick = env.startTaskWithToken(queue("mapped_pipeline", "r1", "pick", -1))) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> pick.taskInstances().skipDownstream(
          SkipDownstreamRequest.newBuilder().addTasks(ref("side", -1)).build()));
      assertEquals(2, pick.taskInstances().skipDownstream(SkipDownstreamRequest.newBuilder()
          .addTasks(ref("fan", 0)).addTasks(ref("fan", 2)).build()).getSkippedCount());
      assertEquals("SKIPPED", state("r1", "fan", 0));
      assertEquals("none", state("r1", "fan", 1));
      assertEquals("SKIPPED", state("r1", "fan", 2));
    }
  }
}

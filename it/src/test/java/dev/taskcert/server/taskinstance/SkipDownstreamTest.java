package dev.taskcert.server.taskinstance;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.DagTask;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SkipDownstream reaches only tasks downstream of the caller when its DAG declares its structure,
 * and only existing QUEUED task instances when it does not; it never creates rows for task ids a
 * request merely invents.
 */
class SkipDownstreamTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  /** extract -> transform -> load, extract -> report, and an unrelated side task. */
  private static RegisterDagRequest.Builder pipeline(String dagId) {
    return RegisterDagRequest.newBuilder().setDagId(dagId).setBundle("analytics-dags")
        .addTasks(task("extract", "transform", "report"))
        .addTasks(task("transform", "load"))
        .addTasks(task("load"))
        .addTasks(task("report"))
        .addTasks(task("side"));
  }

  private static DagTask task(String taskId, String... downstream) {
    return DagTask.newBuilder().setTaskId(taskId).addAllDownstreamTaskIds(List.of(downstream)).build();
  }

  private static String queue(String dagId, String runId, String taskId) {
    return env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).setTaskId(taskId).setMapIndex(-1).build()).getEnrollmentToken();
  }

  private static SkipDownstreamRequest skip(String... taskIds) {
    return SkipDownstreamRequest.newBuilder().addAllTaskIds(List.of(taskIds)).build();
  }

  private static String state(String dagId, String runId, String taskId) throws Exception {
    long rows = env.count(instances(dagId, runId, taskId));
    if (rows == 0) {
      return "none";
    }
    for (String state : List.of("QUEUED", "RUNNING", "SKIPPED", "SUCCESS")) {
      if (env.count(instances(dagId, runId, taskId) + " and ti.state = '" + state + "'") == 1) {
        return state;
      }
    }
    return "other";
  }

  private static String instances(String dagId, String runId, String taskId) {
    return "select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id where r.dag_id = '"
        + dagId + "' and r.run_id = '" + runId + "' and ti.task_id = '" + taskId + "'";
  }

  @Test
  void aDeclaredStructureLimitsTheCallerToItsDownstreamTasks() throws Exception {
    env.admin().registerDag(pipeline("declared_pipeline").build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("declared_pipeline").setRunId("r1").build());
    queue("declared_pipeline", "r1", "extract");
    queue("declared_pipeline", "r1", "side");
    try (TestTask transform = env.startTaskWithToken(queue("declared_pipeline", "r1", "transform"))) {
      // Upstream, unrelated, undeclared and invented tasks are refused and nothing changes.
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> transform.taskInstances().skipDownstream(skip("extract")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> transform.taskInstances().skipDownstream(skip("side")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> transform.taskInstances().skipDownstream(skip("report")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT,
          () -> transform.taskInstances().skipDownstream(skip("load", "invented_1", "invented_2")));
      assertEquals("QUEUED", state("declared_pipeline", "r1", "extract"));
      assertEquals("QUEUED", state("declared_pipeline", "r1", "side"));
      assertEquals("none", state("declared_pipeline", "r1", "invented_1"));

      // A declared downstream task without a task instance yet gets a SKIPPED one.
      assertEquals(1, transform.taskInstances().skipDownstream(skip("load")).getSkippedCount());
      assertEquals("SKIPPED", state("declared_pipeline", "r1", "load"));
    }
  }

  @Test
  void aTaskMaySkipTasksTransitivelyDownstreamOfIt() throws Exception {
    env.admin().registerDag(pipeline("transitive_pipeline").build());
    env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId("transitive_pipeline").setRunId("r1").build());
    queue("transitive_pipeline", "r1", "transform");
    try (TestTask extract = env.startTaskWithToken(queue("transitive_pipeline", "r1", "extract"))) {
      assertEquals(3, extract.taskInstances().skipDownstream(skip("transform", "load", "report")).getSkippedCount());
      assertEquals("SKIPPED", state("transitive_pipeline", "r1", "transform"));
      assertEquals("SKIPPED", state("transitive_pipeline", "r1", "load"));
      assertEquals("SKIPPED", state("transitive_pipeline", "r1", "report"));
      assertEquals("none", state("transitive_pipeline", "r1", "side"));
    }
  }

  @Test
  void withoutADeclaredStructureOnlyExistingQueuedTaskInstancesAreSkipped() throws Exception {
    env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "queued_peer", -1, 1, null);
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      String before = DatabaseFingerprint.of(env);
      List<String> invented = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "invented_" + i).toList();
      assertEquals(0, task.taskInstances().skipDownstream(SkipDownstreamRequest.newBuilder().addAllTaskIds(invented)
          .build()).getSkippedCount());
      assertEquals(before, DatabaseFingerprint.of(env), "no rows for task ids the request invents");
      assertEquals(1, task.taskInstances().skipDownstream(skip("queued_peer", "invented_x")).getSkippedCount());
      assertEquals("SKIPPED", state(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "queued_peer"));
      assertEquals("none", state(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "invented_x"));
    }
  }

  @Test
  void registeringAgainWithoutTasksRemovesTheDeclaration() throws Exception {
    env.admin().registerDag(pipeline("redeclared_pipeline").build());
    assertEquals(5, env.count("select count(*) from dag_task where dag_id = 'redeclared_pipeline'"));
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId("redeclared_pipeline").setBundle("analytics-dags")
        .build());
    assertEquals(0, env.count("select count(*) from dag_task where dag_id = 'redeclared_pipeline'"));
  }

  @Test
  void refusesStructuresThatAreNotABoundedAcyclicGraphOfDeclaredTasks() throws Exception {
    RegisterDagRequest.Builder base = RegisterDagRequest.newBuilder().setDagId("bad_pipeline").setBundle("analytics-dags");
    for (RegisterDagRequest bad : List.of(
        base.clone().addTasks(task("a", "b")).addTasks(task("b", "a")).build(),
        base.clone().addTasks(task("a", "a")).build(),
        base.clone().addTasks(task("a", "undeclared")).build(),
        base.clone().addTasks(task("a")).addTasks(task("a")).build(),
        base.clone().addTasks(task("")).build(),
        base.clone().addTasks(task("x".repeat(251))).build())) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().registerDag(bad));
    }
  }
}

package dev.taskcert.server.dagrun;

import com.google.protobuf.Timestamp;
import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import java.time.Instant;

/**
 * DAGs the cross-DAG tests read and trigger from an analytics task: the analytics team's own, a
 * global one, a payments DAG that declares analytics a reader and a triggerer, and a payments DAG
 * that declares nothing. Each has runs on the 1st, 2nd and 3rd of January (success, failed, running).
 */
final class CrossDagWorld {
  static final String OWN = "analytics_target";
  static final String GLOBAL = "global_target";
  static final String SHARED = "payments_shared";
  static final String FOREIGN = "payments_private";
  static final String ABSENT = "no_such_dag";

  private CrossDagWorld() {}

  static Instant day(int day) {
    return Instant.parse("2026-01-0" + day + "T00:00:00Z");
  }

  static Timestamp ts(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  static String runId(int day) {
    return "scheduled__2026-01-0" + day;
  }

  static void create(TestEnvironment env) {
    env.admin().registerDagBundle(RegisterDagBundleRequest.newBuilder().setName("global-dags").build());
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(OWN).setBundle("analytics-dags").build());
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(GLOBAL).setBundle("global-dags").setIsPaused(true).build());
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(SHARED).setBundle("payments-dags")
        .addReadableByTeams("analytics").addTriggerableByTeams("analytics").build());
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(FOREIGN).setBundle("payments-dags").build());
    for (String dagId : new String[] {OWN, GLOBAL, SHARED, FOREIGN}) {
      String[] states = {"success", "failed", "running"};
      for (int day = 1; day <= 3; day++) {
        env.admin().createDagRun(CreateDagRunRequest.newBuilder().setDagId(dagId).setRunId(runId(day))
            .setLogicalDate(ts(day(day))).setConfJson("{\"day\": " + day + "}").build());
        env.admin().setDagRunState(SetDagRunStateRequest.newBuilder().setDagId(dagId).setRunId(runId(day))
            .setState(states[day - 1]).build());
      }
    }
  }

  /** A started analytics task with its own task id, so tests never supersede each other's tries. */
  static TestTask analyticsTask(TestEnvironment env, String taskId) throws Exception {
    return env.startTaskWithToken(queue(env, DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1));
  }

  static String queue(TestEnvironment env, String dagId, String runId, String taskId, int mapIndex) {
    return env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).setTaskId(taskId).setMapIndex(mapIndex).build()).getEnrollmentToken();
  }
}

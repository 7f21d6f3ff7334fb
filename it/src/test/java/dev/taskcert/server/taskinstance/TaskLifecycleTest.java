package dev.taskcert.server.taskinstance;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static dev.taskcert.server.testing.Statuses.statusOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.execution.v1.DeferTaskRequest;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.SetRenderedFieldsRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskLifecycleTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  private static HeartbeatRequest heartbeat(String host, int pid) {
    return HeartbeatRequest.newBuilder().setHostname(host).setPid(pid).build();
  }

  private static String stateOf(DemoData.DemoTask dag, String taskId) throws Exception {
    try (var db = env.instance(javax.sql.DataSource.class).getConnection();
        var statement = db.prepareStatement("select ti.state from task_instance ti join dag_run r on r.id = ti.dag_run_id"
            + " where r.dag_id = ? and ti.task_id = ?")) {
      statement.setString(1, dag.dagId());
      statement.setString(2, taskId);
      try (var rows = statement.executeQuery()) {
        rows.next();
        String state = rows.getString(1);
        db.rollback();
        return state;
      }
    }
  }

  @Test
  void heartbeatNeedsTheRecordedHostAndPid() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      task.taskInstances().heartbeat(heartbeat("worker-1", 4242));
      Status wrongHost = statusOf(() -> task.taskInstances().heartbeat(heartbeat("elsewhere", 4242)));
      assertEquals(Status.Code.FAILED_PRECONDITION, wrongHost.getCode());
      assertTrue(wrongHost.getDescription().contains("worker-1"), wrongHost.getDescription());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.taskInstances().heartbeat(heartbeat("worker-1", 1)));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().heartbeat(heartbeat("", 4242)));
    }
  }

  @Test
  void startReturnsTheRunContextAndTheKeysToClear() throws Exception {
    try (TestTask first = env.startTask(DemoData.PAYMENTS)) {
      first.xcoms().setXCom(SetXComRequest.newBuilder().setKey("leftover").setValueJson("1").build());
    }
    String token = env.queue(DemoData.PAYMENTS).enrollmentToken();
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom());
        var channel = new ClosableChannel(session)) {
      StartTaskResponse started = channel.taskInstances().startTask(StartTaskRequest.newBuilder()
          .setHostname("w").setPid(1).setUnixUser("airflow").build());
      assertEquals(DemoData.RUN_ID, started.getDagRun().getRunId());
      assertEquals("scheduled", started.getDagRun().getRunType());
      assertTrue(started.getDagRun().hasLogicalDate());
      assertEquals(List.of("leftover"), started.getXcomKeysToClearList());
      assertTrue(started.getTryNumber() >= 2);
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> channel.taskInstances().startTask(
          StartTaskRequest.newBuilder().setHostname("w").setPid(0).build()));
    }
  }

  @Test
  void deferStoresTheTriggerAndEndsTheTry() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().deferTask(DeferTaskRequest.newBuilder()
          .setClasspath("x.Trigger").setTriggerKwargsJson("[not an object]").build()));
      DeferTaskRequest defer = DeferTaskRequest.newBuilder().setClasspath("airflow.triggers.temporal.DateTimeTrigger")
          .setTriggerKwargsJson("{\"moment\": \"2026-11-26T00:00:00Z\"}").setNextMethod("execute_complete").build();
      task.taskInstances().deferTask(defer);
      task.taskInstances().deferTask(defer); // a retry after a lost answer
      assertEquals("DEFERRED", stateOf(DemoData.ANALYTICS, DemoData.ANALYTICS.taskId()));
      assertEquals(1, env.count("select count(*) from task_instance where trigger_classpath like '%DateTimeTrigger'"));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.variables().getVariable(
          GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()));
    }
  }

  @Test
  void rescheduleNeedsADate() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      long now = env.clock.instant().getEpochSecond();
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().rescheduleTask(
          RescheduleTaskRequest.getDefaultInstance()));
      assertEquals("RUNNING", stateOf(DemoData.PAYMENTS, DemoData.PAYMENTS.taskId()));
      task.taskInstances().rescheduleTask(RescheduleTaskRequest.newBuilder()
          .setRescheduleDate(Timestamp.newBuilder().setSeconds(now + Duration.ofHours(1).toSeconds())).build());
      assertEquals("UP_FOR_RESCHEDULE", stateOf(DemoData.PAYMENTS, DemoData.PAYMENTS.taskId()));
    }
  }

  @Test
  void storesRenderedFieldsOfARunningTry() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      task.taskInstances().setRenderedFields(SetRenderedFieldsRequest.newBuilder()
          .setFieldsJson("{\"sql\": \"select 1\"}").build());
      assertEquals(1, env.count("select count(*) from task_instance where rendered_fields ->> 'sql' = 'select 1'"));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().setRenderedFields(
          SetRenderedFieldsRequest.newBuilder().setFieldsJson("\"text\"").build()));
    }
  }

  @Test
  void skipsDownstreamTasksOnlyInTheCallersOwnRun() throws Exception {
    env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "downstream_queued", -1, 1, null);
    // A task of the same name, queued in the other DAG's run: the request cannot reach it.
    env.dev().taskQueue().queue(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, "downstream_queued", -1, 1, null);
    String paymentsTask = "select count(*) from task_instance ti join dag_run r on r.id = ti.dag_run_id "
        + "where r.dag_id = '" + DemoData.PAYMENTS.dagId() + "' and ti.task_id = 'downstream_queued' and ti.state = ";
    assertEquals(1, env.count(paymentsTask + "'QUEUED'"));
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      int skipped = task.taskInstances().skipDownstream(SkipDownstreamRequest.newBuilder()
          .addTaskIds("downstream_queued").addTaskIds("downstream_new").build()).getSkippedCount();
      assertEquals(1, skipped, "the DAG declares no structure: only an existing QUEUED task instance is skipped");
      assertEquals("SKIPPED", stateOf(DemoData.ANALYTICS, "downstream_queued"));
      assertEquals(0, env.count("select count(*) from task_instance where task_id = 'downstream_new'"));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().skipDownstream(
          SkipDownstreamRequest.newBuilder().addTaskIds(DemoData.ANALYTICS.taskId()).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().skipDownstream(
          SkipDownstreamRequest.getDefaultInstance()));
      // The payments run's task of the same name is untouched: the request cannot name another run.
      assertEquals(1, env.count(paymentsTask + "'QUEUED'"));
    }
  }

  @Test
  void findsThePreviousSuccessfulRun() throws Exception {
    var admin = env.admin();
    admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId()).setRunId("scheduled__older")
        .setLogicalDate(Timestamp.newBuilder().setSeconds(1795478400L)).build());
    admin.setDagRunState(SetDagRunStateRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId())
        .setRunId("scheduled__older").setState("success").build());
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      var previous = task.taskInstances().getPreviousSuccessfulDagRun(GetPreviousSuccessfulDagRunRequest.getDefaultInstance());
      assertTrue(previous.hasDagRun());
      assertEquals("scheduled__older", previous.getDagRun().getRunId());
    }
    admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId("r").build());
    String token = admin.queueTaskInstance(QueueTaskInstanceRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
        .setRunId(DemoData.RUN_ID).setTaskId("lonely").setMapIndex(-1).build()).getEnrollmentToken();
    try (TestTask task = env.startTaskWithToken(token)) {
      assertFalse(task.taskInstances().getPreviousSuccessfulDagRun(
          GetPreviousSuccessfulDagRunRequest.getDefaultInstance()).hasDagRun());
    }
  }

  /** A raw mutual-TLS channel for a session that has not started its try yet. */
  private static final class ClosableChannel implements AutoCloseable {
    private final io.grpc.ManagedChannel channel;

    ClosableChannel(TaskSession session) {
      channel = dev.taskcert.supervisor.channel.ClientTls.mutualTlsChannel(env.dev().executionTarget(), session.credentials());
    }

    dev.taskcert.proto.execution.v1.TaskInstancesGrpc.TaskInstancesBlockingStub taskInstances() {
      return dev.taskcert.proto.execution.v1.TaskInstancesGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }
}

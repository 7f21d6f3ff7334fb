package dev.taskcert.server.taskinstance;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.client.StartedTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.TerminalState;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.DeferTaskRequest;
import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.DeleteXComRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetXComCountRequest;
import dev.taskcert.proto.execution.v1.GetXComItemRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.GetXComSliceRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysRequest;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.SetRenderedFieldsRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskStateGateTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  @Test
  void refusesResourceCallsBeforeTheTryStarts() throws Exception {
    try (TaskSession session = TaskSession.open(
        env.supervisorConfig(), env.queue(DemoData.ANALYTICS).enrollmentToken(), new SecureRandom())) {
      TaskcertException e = refusedWithoutChange(env, TaskcertException.TaskNotLive.class,
          Status.Code.FAILED_PRECONDITION, () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
      assertTrue(e.getMessage().contains("QUEUED"), e.getMessage());
    }
  }

  @Test
  void startReturnsTheRunAndIsIdempotentForTheSameProcess() throws Exception {
    try (TaskSession session = TaskSession.open(
        env.supervisorConfig(), env.queue(DemoData.PAYMENTS).enrollmentToken(), new SecureRandom())) {
      StartedTask started = session.client().startTask("worker-9", 99, "airflow");
      assertEquals(DemoData.PAYMENTS.dagId(), started.dagId());
      assertEquals(DemoData.RUN_ID, started.runId());
      assertEquals(started, session.client().startTask("worker-9", 99, "airflow"));
      TaskcertException e = refusedWithoutChange(env, TaskcertException.TaskNotLive.class,
          Status.Code.FAILED_PRECONDITION, () -> session.client().startTask("another-host", 99, "airflow"));
      assertTrue(e.getMessage().contains("RUNNING"), e.getMessage());
    }
  }

  @Test
  void refusesASupersededTry() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.ANALYTICS)) {
      env.queue(DemoData.ANALYTICS); // the control plane queues the next try
      TaskcertException e = refusedWithoutChange(env, TaskcertException.TaskNotLive.class,
          Status.Code.FAILED_PRECONDITION, () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
      assertTrue(e.getMessage().contains("superseded"), e.getMessage());
      assertEquals("deny", env.audit(1).get(0).kind());
    }
  }

  @Test
  void refusesEverythingOnceTheTryFinished() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.PAYMENTS)) {
      session.client().finishTask(TerminalState.SUCCESS);
      session.client().finishTask(TerminalState.SUCCESS); // repeated after a lost answer: same result
      // (reads of variables and connections and own XCom writes keep a post-terminal grace: PostTerminalGraceTest)
      TaskcertException e = refusedWithoutChange(env, TaskcertException.TaskNotLive.class,
          Status.Code.FAILED_PRECONDITION,
          () -> session.client().setVariable(DemoData.PAYMENTS.ownVariable(), "late", ""));
      assertTrue(e.getMessage().contains("SUCCESS"), e.getMessage());
      refusedWithoutChange(env, TaskcertException.TaskNotLive.class, Status.Code.FAILED_PRECONDITION,
          () -> session.client().finishTask(TerminalState.FAILED));
      assertEquals(1, env.count("select count(*) from task_instance where task_id = '"
          + DemoData.PAYMENTS.taskId() + "' and state = 'SUCCESS'"));
    }
  }

  /** One valid call of every RPC a task certificate can make, named for failure messages. */
  private static Map<String, Consumer<TestTask>> everyTaskRpc() {
    XComRef ref = XComRef.newBuilder().setTaskId("any").setKey("k").build();
    Map<String, Consumer<TestTask>> rpcs = new LinkedHashMap<>();
    rpcs.put("StartTask", t -> t.taskInstances().startTask(StartTaskRequest.newBuilder().setHostname("h").setPid(1).build()));
    rpcs.put("Heartbeat", t -> t.taskInstances().heartbeat(HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build()));
    rpcs.put("FinishTask", t -> t.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build()));
    rpcs.put("DeferTask", t -> t.taskInstances().deferTask(DeferTaskRequest.newBuilder().setClasspath("x.T").build()));
    rpcs.put("RescheduleTask", t -> t.taskInstances().rescheduleTask(RescheduleTaskRequest.newBuilder()
        .setRescheduleDate(Timestamp.newBuilder().setSeconds(env.clock.instant().getEpochSecond() + 3600)).build()));
    rpcs.put("SetRenderedFields", t -> t.taskInstances().setRenderedFields(SetRenderedFieldsRequest.newBuilder().setFieldsJson("{}").build()));
    rpcs.put("SkipDownstream", t -> t.taskInstances().skipDownstream(SkipDownstreamRequest.newBuilder().addTaskIds("other").build()));
    rpcs.put("GetPreviousSuccessfulDagRun", t -> t.taskInstances().getPreviousSuccessfulDagRun(GetPreviousSuccessfulDagRunRequest.getDefaultInstance()));
    rpcs.put("GetVariable", t -> t.variables().getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()));
    rpcs.put("SetVariable", t -> t.variables().setVariable(SetVariableRequest.newBuilder().setKey("late_write").setValue("x").build()));
    rpcs.put("DeleteVariable", t -> t.variables().deleteVariable(DeleteVariableRequest.newBuilder().setKey("analytics_bucket").build()));
    rpcs.put("ListVariableKeys", t -> t.variables().listVariableKeys(ListVariableKeysRequest.getDefaultInstance()));
    rpcs.put("GetConnection", t -> t.connections().getConnection(GetConnectionRequest.newBuilder().setConnId("c").build()));
    rpcs.put("GetXCom", t -> t.xcoms().getXCom(GetXComRequest.newBuilder().setRef(ref).build()));
    rpcs.put("SetXCom", t -> t.xcoms().setXCom(SetXComRequest.newBuilder().setKey("late").setValueJson("1").build()));
    rpcs.put("DeleteXCom", t -> t.xcoms().deleteXCom(DeleteXComRequest.newBuilder().setKey("k").build()));
    rpcs.put("GetXComItem", t -> t.xcoms().getXComItem(GetXComItemRequest.newBuilder().setRef(ref).build()));
    rpcs.put("GetXComSlice", t -> t.xcoms().getXComSlice(GetXComSliceRequest.newBuilder().setRef(ref).build()));
    rpcs.put("GetXComCount", t -> t.xcoms().getXComCount(GetXComCountRequest.newBuilder().setRef(ref).build()));
    rpcs.put("Renew", t -> t.ca().renew(RenewRequest.newBuilder()
        .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build()));
    return rpcs;
  }

  private static void assertEveryRpcRefused(TestTask task, String because) throws Exception {
    assertEveryRpcRefused(task, because, java.util.Set.of());
  }

  private static void assertEveryRpcRefused(TestTask task, String because, java.util.Set<String> except)
      throws Exception {
    for (Map.Entry<String, Consumer<TestTask>> rpc : everyTaskRpc().entrySet()) {
      if (except.contains(rpc.getKey())) {
        continue;
      }
      Status status = refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> rpc.getValue().accept(task));
      assertTrue(status.getDescription().contains(because), rpc.getKey() + ": " + status.getDescription());
    }
  }

  @Test
  void everyTaskRpcRefusesASupersededTry() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      env.queue(DemoData.ANALYTICS);
      assertEveryRpcRefused(task, "superseded");
    }
  }

  @Test
  void everyTaskRpcRefusesATryThatEnded() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      // The methods whose rule declares a post-terminal grace admit the finished try for a while
      // (PostTerminalGraceTest); every other one refuses it at once.
      assertEveryRpcRefused(task, "SUCCESS", java.util.Set.of("GetVariable", "GetConnection", "SetXCom"));
    }
  }
}

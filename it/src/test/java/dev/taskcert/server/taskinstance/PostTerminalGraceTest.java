package dev.taskcert.server.taskinstance;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A try that finished itself may, for try.post_terminal_grace (here 30 s), still read its
 * variables and connections and write its own XComs, as Airflow's finalization does after the
 * terminal state is reported; nothing else, every call audited, and never once revoked.
 */
class PostTerminalGraceTest {
  private static final Duration GRACE = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder.liveness(
      new dev.taskcert.server.config.TryLiveness(Duration.ofSeconds(300), Duration.ofSeconds(15), Duration.ofHours(24),
          GRACE)));

  private static QueuedTry queue(String taskId) {
    return env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, 1, null);
  }

  private static GetVariableRequest globalVariable() {
    return GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
  }

  private static SetXComRequest ownXCom(String key) {
    return SetXComRequest.newBuilder().setKey(key).setValueJson("\"https://example.test/run/1\"").build();
  }

  private static long postTerminalEvents(String spiffeId) {
    List<AuditEventRow> events = env.audit(200);
    return events.stream().filter(e -> e.kind().equals("post_terminal") && spiffeId.equals(e.principal())).count();
  }

  @Test
  void aFinishedTryReadsItsVariablesAndConnectionsAndWritesItsXComsWithinTheGrace() throws Exception {
    env.admin().setConnection(dev.taskcert.proto.admin.v1.AdminSetConnectionRequest.newBuilder()
        .setConnId("remote_logging").setConnType("aws").setLogin("logs").build());
    QueuedTry queued = queue("finalizing");
    try (TestTask task = env.startTask(queued)) {
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS)
          .setRenderedMapIndex("customer=acme").build());
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'finalizing' "
          + "and state = 'SUCCESS' and rendered_map_index = 'customer=acme'"));

      task.variables().getVariable(globalVariable());
      assertEquals("logs", task.connections().getConnection(GetConnectionRequest.newBuilder()
          .setConnId("remote_logging").build()).getLogin());
      task.xcoms().setXCom(ownXCom("operator_link"));
      assertEquals(1, env.count("select count(*) from xcom where task_id = 'finalizing' and key = 'operator_link'"));
      assertEquals(3, postTerminalEvents(task.spiffeId()), "each call in the grace is audited as post-terminal");

      // Nothing else: other methods of the contract refuse the finished try at once.
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey(DemoData.ANALYTICS.ownVariable()).setValue("x").build()));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.xcoms().getXCom(GetXComRequest.newBuilder()
          .setRef(XComRef.newBuilder().setTaskId("finalizing").setKey("operator_link")).build()));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.taskInstances().heartbeat(
          HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build()));

      // After the window: refused, nothing written.
      env.clock.advance(GRACE.plusSeconds(1));
      Status over = refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION,
          () -> task.variables().getVariable(globalVariable()));
      assertTrue(over.getDescription().contains("post-terminal grace"), over.getDescription());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.xcoms().setXCom(ownXCom("too_late")));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.connections().getConnection(
          GetConnectionRequest.newBuilder().setConnId("remote_logging").build()));
    }
  }

  @Test
  void aTryEndedFromOutsideGetsNoGrace() throws Exception {
    QueuedTry queued = queue("ended_from_outside");
    try (TestTask task = env.startTask(queued)) {
      TaskIdentity id = queued.identity();
      env.admin().endTry(EndTryRequest.newBuilder().setTaskTry(TaskTryRef.newBuilder().setDagId(id.dagId())
          .setRunId(id.runId()).setTaskId(id.taskId()).setMapIndex(id.mapIndex()).setTryNumber(id.tryNumber()))
          .setState(TaskState.TASK_STATE_FAILED).setReason("operator stopped it").build());
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.variables().getVariable(globalVariable()));
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> task.xcoms().setXCom(ownXCom("after_revocation")));
      assertEquals(0, postTerminalEvents(task.spiffeId()));
    }
  }

  @Test
  void upstreamFailedAndRetryStatesCarryTheirDetails() throws Exception {
    try (TestTask task = env.startTask(queue("retrying"))) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(
          FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).setRetryReason("no").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(
          FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_UP_FOR_RETRY)
              .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(-1)).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(
          FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).setRenderedMapIndex("m".repeat(251))
              .build()));
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_UP_FOR_RETRY)
          .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(300)).setRetryReason("flaky upstream API")
          .build());
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'retrying' and state = 'UP_FOR_RETRY'"
          + " and retry_delay_seconds = 300 and retry_reason = 'flaky upstream API'"));
    }
    try (TestTask task = env.startTask(queue("upstream_failed"))) {
      FinishTaskRequest finish = FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_UPSTREAM_FAILED).build();
      task.taskInstances().finishTask(finish);
      task.taskInstances().finishTask(finish); // a repeat after a lost answer
      assertEquals(1, env.count("select count(*) from task_instance where task_id = 'upstream_failed' "
          + "and state = 'UPSTREAM_FAILED'"));
    }
  }
}

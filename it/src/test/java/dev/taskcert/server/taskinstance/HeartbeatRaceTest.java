package dev.taskcert.server.taskinstance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.EndTryRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.testing.HeldRowLock;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A heartbeat is one statement that checks the caller's certificate and try and records the
 * heartbeat; the front door reads nothing for it. A try that changes while that statement waits
 * for its row is not touched, and the caller is told the try's new state as before; a malformed
 * heartbeat is still refused for its certificate or try first, as any other call.
 */
class HeartbeatRaceTest {
  private static final HeartbeatRequest HEARTBEAT = HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build();

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private final ExecutorService callers = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  private static TaskIdentity identityOf(TestTask task) {
    return (TaskIdentity) env.instance(SpiffeIdCodec.class).parse(task.spiffeId());
  }

  private static EndTryRequest end(TaskIdentity identity) {
    return EndTryRequest.newBuilder()
        .setTaskTry(TaskTryRef.newBuilder().setDagId(identity.dagId()).setRunId(identity.runId())
            .setTaskId(identity.taskId()).setMapIndex(identity.mapIndex()).setTryNumber(identity.tryNumber()))
        .setState(TaskState.TASK_STATE_FAILED).setReason("ended while it beat").build();
  }

  private static Status outcome(Future<?> call) throws Exception {
    try {
      call.get(30, TimeUnit.SECONDS);
      return Status.OK;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException refused) {
        return refused.getStatus();
      }
      throw e;
    }
  }

  @Test
  void aTryEndedWhileItsHeartbeatWaitsForItsRowIsNotTouched() throws Exception {
    try (TestTask task = env.startTask(env.dev().taskQueue()
        .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "ended_while_beating", -1, 1, null))) {
      task.taskInstances().heartbeat(HEARTBEAT);
      TaskIdentity identity = identityOf(task);
      String row = "select ti.id from task_instance ti join dag_run r on r.id = ti.dag_run_id where r.dag_id = '"
          + identity.dagId() + "' and r.run_id = '" + identity.runId() + "' and ti.task_id = '" + identity.taskId()
          + "'";
      long beatAt = env.count("select extract(epoch from last_heartbeat_at) * 1000000 from task_instance where id = ("
          + row + ")");
      Future<?> ending;
      Future<?> beating;
      try (HeldRowLock held = HeldRowLock.of(env, row + " for update of ti")) {
        // The admin's end queues for the row first, the heartbeat's statement behind it: the
        // heartbeat read a RUNNING try and finds it FAILED when it gets the row.
        ending = callers.submit(() -> env.admin().endTry(end(identity)));
        held.awaitWaiting(1, "ti.max_tries, ti.state");
        beating = callers.submit(() -> task.taskInstances().heartbeat(HEARTBEAT));
        held.awaitWaiting(1, "with facts as (");
        held.release();
      }
      assertEquals(Status.Code.OK, outcome(ending).getCode());
      Status refused = outcome(beating);
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.getCode(), refused.toString());
      assertEquals("task instance is FAILED; this call needs RUNNING", refused.getDescription());
      assertEquals(beatAt, env.count("select extract(epoch from last_heartbeat_at) * 1000000 from task_instance "
          + "where id = (" + row + ")"), "the ended try's heartbeat was not recorded");
      // Its certificates were revoked with the end: from now on that is what a heartbeat hears first.
      Status revoked = Statuses.refusedWithoutChange(env, Status.Code.UNAUTHENTICATED,
          () -> task.taskInstances().heartbeat(HEARTBEAT));
      assertEquals("client certificate " + task.session().credentials().serialHex() + " is revoked",
          revoked.getDescription());
    }
  }

  @Test
  void aMalformedHeartbeatOfAnEndedTryIsRefusedForTheTryFirst() throws Exception {
    try (TestTask task = env.startTask(env.dev().taskQueue()
        .queue(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, "finished_then_malformed", -1, 1, null))) {
      task.taskInstances().finishTask(dev.taskcert.proto.execution.v1.FinishTaskRequest.newBuilder()
          .setState(TaskState.TASK_STATE_SUCCESS).build());
      Status status = Statuses.refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION,
          () -> task.taskInstances().heartbeat(HeartbeatRequest.newBuilder().setPid(4242).build()));
      assertEquals("task instance is SUCCESS; this call needs RUNNING", status.getDescription());
    }
  }
}

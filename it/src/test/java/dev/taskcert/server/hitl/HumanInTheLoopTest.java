package dev.taskcert.server.hitl;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.admin.v1.RespondHitlRequest;
import dev.taskcert.proto.execution.v1.CreateHitlDetailRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetHitlDetailRequest;
import dev.taskcert.proto.execution.v1.HitlDetailAnswer;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.UpdateHitlDetailRequest;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.client.HitlAnswer;
import dev.taskcert.supervisor.client.HitlQuestion;
import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The human-in-the-loop detail of the caller's own task instance, answered by the task or by a human. */
class HumanInTheLoopTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static final HitlQuestion QUESTION = new HitlQuestion(List.of("approve", "reject"), "Ship it?",
      "The nightly load finished.", List.of("reject"), false, "{\"reason\": \"\"}");

  private static QueuedTry queue(String taskId, int tryNumber) {
    return env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, tryNumber, null);
  }

  private static String unique() {
    return "approval_" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aHumanAnswersThroughTheControlPlaneAndTheTaskReadsIt() throws Exception {
    String taskId = unique();
    try (TestTask task = env.startTask(queue(taskId, 1))) {
      assertEquals(QUESTION, task.session().client().createHitlDetail(QUESTION));
      HitlAnswer pending = task.session().client().getHitlDetail();
      assertFalse(pending.received());
      assertEquals(List.of(), pending.chosenOptions());

      HitlDetailAnswer answered = env.hitlAdmin().respondHitl(RespondHitlRequest.newBuilder()
          .setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID).setTaskId(taskId).setMapIndex(-1)
          .setUserId("alice").addChosenOptions("approve").setParamsInputJson("{\"reason\": \"looks good\"}").build()).getAnswer();
      assertTrue(answered.getResponseReceived());
      HitlAnswer read = task.session().client().getHitlDetail();
      assertEquals(Optional.of("alice"), read.respondedBy());
      assertEquals(List.of("approve"), read.chosenOptions());
      assertEquals("{\"reason\": \"looks good\"}", read.paramsInputJson());
      assertTrue(env.audit(1).get(0).detail().contains("user 'alice'"), env.audit(1).get(0).detail());

      // A second answer, by anyone, is refused and changes nothing.
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.hitl().updateHitlDetail(
          UpdateHitlDetailRequest.newBuilder().addChosenOptions("reject").build()));
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> env.hitlAdmin().respondHitl(
          RespondHitlRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
              .setTaskId(taskId).setMapIndex(-1).setUserId("bob").addChosenOptions("reject").build()));
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_UP_FOR_RETRY).build());
    }
    // The next try asks again: the question is kept, the earlier answer removed.
    try (TestTask retry = env.startTask(queue(taskId, 2))) {
      HitlQuestion other = new HitlQuestion(List.of("x"), "other", "", List.of(), false, "");
      assertEquals(QUESTION, retry.session().client().createHitlDetail(other));
      assertFalse(retry.session().client().getHitlDetail().received());
      HitlAnswer own = retry.session().client().updateHitlDetail(List.of("reject"), "");
      assertTrue(own.received());
      assertEquals(Optional.empty(), own.respondedBy());
      assertEquals(List.of("reject"), own.chosenOptions());
    }
  }

  @Test
  void refusesWhatDoesNotFitTheQuestionWithoutChange() throws Exception {
    try (TestTask task = env.startTask(queue(unique(), 1))) {
      refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.hitl().getHitlDetail(GetHitlDetailRequest.getDefaultInstance()));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.hitl().updateHitlDetail(
          UpdateHitlDetailRequest.newBuilder().addChosenOptions("approve").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().createHitlDetail(
          CreateHitlDetailRequest.newBuilder().setSubject("no options").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().createHitlDetail(
          CreateHitlDetailRequest.newBuilder().addOptions("a").setSubject("").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().createHitlDetail(
          CreateHitlDetailRequest.newBuilder().addOptions("a").addDefaults("b").setSubject("s").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().createHitlDetail(
          CreateHitlDetailRequest.newBuilder().addOptions("a").addOptions("a").setSubject("s").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().createHitlDetail(
          CreateHitlDetailRequest.newBuilder().addOptions("a").setSubject("s").setParamsJson("[]").build()));
      task.session().client().createHitlDetail(QUESTION);
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().updateHitlDetail(
          UpdateHitlDetailRequest.newBuilder().addChosenOptions("maybe").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().updateHitlDetail(
          UpdateHitlDetailRequest.newBuilder().addChosenOptions("approve").addChosenOptions("reject").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.hitl().updateHitlDetail(
          UpdateHitlDetailRequest.getDefaultInstance()));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> env.hitlAdmin().respondHitl(RespondHitlRequest.newBuilder()
          .setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID).setTaskId("no_such_task").setMapIndex(-1)
          .setUserId("alice").addChosenOptions("approve").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.hitlAdmin().respondHitl(
          RespondHitlRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
              .setTaskId("t").setMapIndex(-1).addChosenOptions("approve").build()));
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION,
          () -> task.hitl().getHitlDetail(GetHitlDetailRequest.getDefaultInstance()));
    }
  }
}

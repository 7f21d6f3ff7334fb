package dev.taskcert.server.taskinstance;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.ResumeTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.execution.v1.DeferTaskRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deferral and reschedule resume the same try, as in Airflow: same try number, no retry spent,
 * next_method and next_kwargs handed back; the resumed execution enrolls with a new single-use
 * token, and no certificate of the execution before the resume is admitted again.
 */
class DeferralResumeTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static final String SCHEDULER_TI_ID = "0190f3c2-7b1e-7c3a-9d2e-5a6b7c8d9e0f";

  private static QueuedTry queue(String taskId) {
    return env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, 2, null);
  }

  private static TaskTryRef ref(QueuedTry queued) {
    TaskIdentity id = queued.identity();
    return TaskTryRef.newBuilder().setDagId(id.dagId()).setRunId(id.runId()).setTaskId(id.taskId())
        .setMapIndex(id.mapIndex()).setTryNumber(id.tryNumber()).build();
  }

  private static ResumeTaskInstanceResponse resume(QueuedTry queued) {
    return env.admin().resumeTaskInstance(ResumeTaskInstanceRequest.newBuilder().setTaskTry(ref(queued))
        .setTaskInstanceId(SCHEDULER_TI_ID).build());
  }

  private static StartTaskResponse start(TaskSession session) {
    ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), session.credentials());
    try {
      return TaskInstancesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .startTask(StartTaskRequest.newBuilder().setHostname("worker-2").setPid(77).build());
    } finally {
      channel.shutdownNow();
    }
  }

  private static GetVariableRequest globalVariable() {
    return GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
  }

  private static long count(String taskId, String condition) throws Exception {
    return env.count("select count(*) from task_instance where task_id = '" + taskId + "' and " + condition);
  }

  @Test
  void aDeferredTryResumesAsTheSameTryWithItsNextMethod() throws Exception {
    QueuedTry queued = queue("deferring");
    TaskCredentials beforeDeferral;
    StartTaskResponse first;
    try (TestTask task = env.startTask(queued)) {
      beforeDeferral = task.session().credentials();
      task.taskInstances().deferTask(DeferTaskRequest.newBuilder().setClasspath("airflow.triggers.temporal.DateTimeTrigger")
          .setTriggerKwargsSealed("gAAAAABsealed-trigger-kwargs==").setTriggerQueue("triggerer_a")
          .setNextMethod("execute_complete").setNextKwargsJson("{\"event\": 1}").build());
      assertEquals(1, count("deferring", "trigger_queue = 'triggerer_a' and trigger_kwargs #>> '{}' = "
          + "'gAAAAABsealed-trigger-kwargs=='"));
    }
    long startDateBefore = env.count("select floor(extract(epoch from start_date))::bigint from task_instance "
        + "where task_id = 'deferring'");

    ResumeTaskInstanceResponse resumed = resume(queued);
    assertEquals(queued.identity().tryNumber(), resumed.getTryNumber());
    assertEquals(2, resumed.getExecutionGeneration());
    assertEquals(queued.spiffeId(), resumed.getSpiffeId());
    assertTrue(resumed.getRevokedSerialHexList().contains(beforeDeferral.serialHex()));
    assertEquals(1, count("deferring", "state = 'QUEUED' and enrolled_at is null and execution_generation = 2"));

    try (TaskSession session = TaskSession.open(env.supervisorConfig(), resumed.getEnrollmentToken(), new SecureRandom())) {
      StartTaskResponse started = start(session);
      assertEquals(queued.identity().tryNumber(), started.getTryNumber());
      assertEquals("execute_complete", started.getNextMethod());
      assertEquals("{\"event\": 1}", started.getNextKwargsJson());
      assertEquals(2, started.getExecutionGeneration());
      assertEquals(SCHEDULER_TI_ID, started.getTaskInstanceId());
      assertEquals(startDateBefore, started.getStartDate().getSeconds(), "the try keeps its first start date");
      assertTrue(started.getShouldRetry(), "try 1 of a task with 2 retries may retry");
      assertEquals(1, count("deferring", "state = 'RUNNING' and enrolled_at is not null"));

      // The certificate from before the deferral is revoked and stays dead.
      ManagedChannel stolen = ClientTls.mutualTlsChannel(env.dev().executionTarget(), beforeDeferral);
      try {
        refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> VariablesGrpc.newBlockingStub(stolen)
            .withDeadlineAfter(10, TimeUnit.SECONDS).getVariable(globalVariable()));
        refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> RenewalGrpc.newBlockingStub(stolen)
            .withDeadlineAfter(10, TimeUnit.SECONDS).renew(RenewRequest.newBuilder()
                .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build()));
      } finally {
        stolen.shutdownNow();
      }
    }
  }

  @Test
  void aCertificateNotOfTheCurrentGenerationIsRefusedEvenUnrevoked() throws Exception {
    QueuedTry queued = queue("generation_bound");
    try (TestTask task = env.startTask(queued)) {
      task.taskInstances().deferTask(DeferTaskRequest.newBuilder().setClasspath("t.Trigger").build());
    }
    ResumeTaskInstanceResponse resumed = resume(queued);
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), resumed.getEnrollmentToken(), new SecureRandom())) {
      start(session);
      // A certificate for the same identity that was not issued for the current execution (as one
      // minted before the resume would be): refused by the gate, not only by revocation.
      TaskCredentials other = env.credentialsFor(queued.identity());
      ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), other);
      try {
        Status refused = refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> VariablesGrpc
            .newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).getVariable(globalVariable()));
        assertTrue(refused.getDescription().contains("superseded by execution 2"), refused.getDescription());
        refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> RenewalGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS).renew(RenewRequest.newBuilder()
                .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build()));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void aRescheduledTryResumesWithItsRescheduleCount() throws Exception {
    QueuedTry queued = queue("rescheduling");
    try (TestTask task = env.startTask(queued)) {
      long past = env.clock.instant().getEpochSecond() - 5;
      // Like Airflow, a date already past is accepted: run again as soon as possible.
      task.taskInstances().rescheduleTask(RescheduleTaskRequest.newBuilder()
          .setRescheduleDate(Timestamp.newBuilder().setSeconds(past)).build());
    }
    ResumeTaskInstanceResponse resumed = resume(queued);
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), resumed.getEnrollmentToken(), new SecureRandom())) {
      StartTaskResponse started = start(session);
      assertEquals(queued.identity().tryNumber(), started.getTryNumber());
      assertEquals(1, started.getTaskRescheduleCount());
      assertEquals("", started.getNextMethod());
    }
  }

  @Test
  void nextKwargsMayBeAnOpaqueString() throws Exception {
    QueuedTry queued = queue("sealed_next_kwargs");
    try (TestTask task = env.startTask(queued)) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().deferTask(
          DeferTaskRequest.newBuilder().setClasspath("t.Trigger").setNextKwargsJson("{}").setNextKwargsSealed("x").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().deferTask(
          DeferTaskRequest.newBuilder().setClasspath("t.Trigger").setTriggerKwargsSealed("line\nbreak").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().deferTask(
          DeferTaskRequest.newBuilder().setClasspath("t.Trigger").setTriggerQueue("q".repeat(257)).build()));
      task.taskInstances().deferTask(DeferTaskRequest.newBuilder().setClasspath("t.Trigger")
          .setNextMethod("resume_here").setNextKwargsSealed("gAAAAAB\"quoted\"\\token").build());
    }
    ResumeTaskInstanceResponse resumed = resume(queued);
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), resumed.getEnrollmentToken(), new SecureRandom())) {
      StartTaskResponse started = start(session);
      assertEquals("resume_here", started.getNextMethod());
      assertEquals("gAAAAAB\"quoted\"\\token", started.getNextKwargsSealed());
      assertEquals("", started.getNextKwargsJson());
    }
  }

  @Test
  void onlyTheCurrentDeferredOrRescheduledTryIsResumed() throws Exception {
    QueuedTry queued = queue("not_resumable");
    try (TestTask task = env.startTask(queued)) {
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> resume(queued));
      task.taskInstances().deferTask(DeferTaskRequest.newBuilder().setClasspath("t.Trigger").build());
    }
    TaskTryRef wrongTry = ref(queued).toBuilder().setTryNumber(queued.identity().tryNumber() + 1).build();
    refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> env.admin().resumeTaskInstance(
        ResumeTaskInstanceRequest.newBuilder().setTaskTry(wrongTry).build()));
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> env.admin().resumeTaskInstance(
        ResumeTaskInstanceRequest.newBuilder().setTaskTry(ref(queued).toBuilder().setTaskId("no_such_task")).build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().resumeTaskInstance(
        ResumeTaskInstanceRequest.getDefaultInstance()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().resumeTaskInstance(
        ResumeTaskInstanceRequest.newBuilder().setTaskTry(ref(queued)).setTaskInstanceId("not-a-uuid").build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().resumeTaskInstance(
        ResumeTaskInstanceRequest.newBuilder().setTaskTry(ref(queued)).setTokenTtlSeconds(-1).build()));
    resume(queued);
    // Resumed once, the try is QUEUED: resuming it again is refused.
    refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> resume(queued));
  }

  @Test
  void queueTakesTheSchedulersTaskInstanceIdAndAirflowsMaxTries() throws Exception {
    String token = env.admin().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID).setTaskId("keyed_by_scheduler").setMapIndex(-1)
        .setMaxTries(0).setTaskInstanceId(SCHEDULER_TI_ID.toUpperCase(java.util.Locale.ROOT)).build()).getEnrollmentToken();
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      StartTaskResponse started = start(session);
      assertEquals(SCHEDULER_TI_ID, started.getTaskInstanceId());
      assertEquals(0, started.getMaxTries());
      assertFalse(started.getShouldRetry(), "no retries: a failure of try 1 is final");
      assertEquals("running", started.getDagRun().getState());
      assertTrue(started.getDagRun().hasRunAfter());
      assertTrue(started.getDagRun().hasStartDate());
    }
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().queueTaskInstance(
        QueueTaskInstanceRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
            .setTaskId("keyed_by_scheduler").setMapIndex(-1).setTaskInstanceId("ti-1").build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().queueTaskInstance(
        QueueTaskInstanceRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
            .setTaskId("keyed_by_scheduler").setMapIndex(-1).setMaxTries(1001).build()));
  }
}

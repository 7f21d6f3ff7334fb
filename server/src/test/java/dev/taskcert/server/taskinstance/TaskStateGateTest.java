package dev.taskcert.server.taskinstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.StartedTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.TerminalState;
import io.grpc.Status;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TaskStateGateTest {
  private static TestEnvironment env;

  @BeforeAll
  static void start() throws Exception {
    env = new TestEnvironment();
  }

  @AfterAll
  static void stop() throws Exception {
    env.close();
  }

  @Test
  void refusesResourceCallsBeforeTheTryStarts() throws Exception {
    try (TaskSession session = TaskSession.open(
        env.supervisorConfig(), env.queue(DemoData.ANALYTICS).enrollmentToken(), new SecureRandom())) {
      TaskcertException e = assertThrows(TaskcertException.TaskNotLive.class,
          () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
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
      TaskcertException e = assertThrows(TaskcertException.TaskNotLive.class,
          () -> session.client().startTask("another-host", 99, "airflow"));
      assertTrue(e.getMessage().contains("RUNNING"), e.getMessage());
    }
  }

  @Test
  void refusesASupersededTry() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.ANALYTICS)) {
      env.queue(DemoData.ANALYTICS); // the control plane queues the next try
      TaskcertException e = assertThrows(TaskcertException.TaskNotLive.class,
          () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
      assertTrue(e.getMessage().contains("superseded"), e.getMessage());
      assertEquals("deny", env.audit(1).get(0).kind());
    }
  }

  @Test
  void refusesEverythingOnceTheTryFinished() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.PAYMENTS)) {
      session.client().finishTask(TerminalState.SUCCESS);
      session.client().finishTask(TerminalState.SUCCESS); // repeated after a lost answer: same result
      TaskcertException e = assertThrows(TaskcertException.TaskNotLive.class,
          () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
      assertTrue(e.getMessage().contains("SUCCESS"), e.getMessage());
      assertThrows(TaskcertException.TaskNotLive.class, () -> session.client().finishTask(TerminalState.FAILED));
      assertEquals(1, env.count("select count(*) from task_instance where task_id = '"
          + DemoData.PAYMENTS.taskId() + "' and state = 'SUCCESS'"));
    }
  }
}

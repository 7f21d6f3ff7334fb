package dev.taskcert.supervisor.heartbeat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The heartbeat loop against a real server: it keeps the try alive, and stops when the server says so. */
class HeartbeatLoopTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);
  /** Generous bound on waits that normally end within a few intervals. */
  private static final long WAIT_SECONDS = 20;
  private static final String HOST = "worker-1";
  private static final int PID = 4242;

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  /** Queues, enrolls and starts a try of {@code taskId} in the analytics demo run. */
  private static TaskSession started(String taskId) throws Exception {
    String token = env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, -1, 3, null)
        .enrollmentToken();
    TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom());
    session.client().startTask(HOST, PID, "airflow");
    return session;
  }

  private static long lastHeartbeatMicros(String taskId) throws Exception {
    return env.count("select coalesce((extract(epoch from last_heartbeat_at) * 1000000)::bigint, 0) "
        + "from task_instance where task_id = '" + taskId + "'");
  }

  /** Polls until the task's last heartbeat is later than {@code than}; fails after {@link #WAIT_SECONDS}. */
  private static long heartbeatAfter(String taskId, long than) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      long now = lastHeartbeatMicros(taskId);
      if (now > than) {
        return now;
      }
      Thread.sleep(INTERVAL.toMillis());
    }
    throw new AssertionError("no heartbeat of " + taskId + " arrived within " + WAIT_SECONDS + " s");
  }

  /** Records what the loop reports. */
  private static final class Recorder implements HeartbeatLoop.Listener {
    final CompletableFuture<TaskcertException> ended = new CompletableFuture<>();
    final AtomicInteger endings = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public void onTryNoLongerLive(TaskcertException reason) {
      endings.incrementAndGet();
      ended.complete(reason);
    }

    @Override
    public void onHeartbeatFailed(TaskcertException error) {
      failures.incrementAndGet();
    }
  }

  @Test
  void heartbeatsKeepMovingTheLastHeartbeatTime() throws Exception {
    try (TaskSession session = started("beating")) {
      long before = lastHeartbeatMicros("beating");
      Recorder recorder = new Recorder();
      try (HeartbeatLoop loop = HeartbeatLoop.start(session.client(), HOST, PID, INTERVAL, recorder)) {
        long first = heartbeatAfter("beating", before);
        heartbeatAfter("beating", first);
        assertFalse(loop.tryEnded());
      }
      assertEquals(0, recorder.failures.get());
      assertEquals(0, recorder.endings.get());
    }
  }

  @Test
  void queuingTheNextTryEndsTheLoopExactlyOnce() throws Exception {
    try (TaskSession session = started("superseded")) {
      Recorder recorder = new Recorder();
      try (HeartbeatLoop loop = HeartbeatLoop.start(session.client(), HOST, PID, INTERVAL, recorder)) {
        heartbeatAfter("superseded", 0);
        env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "superseded", -1, 3, null);

        TaskcertException reason = recorder.ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(TaskcertException.TaskNotLive.class, reason);
        assertEquals(Status.Code.FAILED_PRECONDITION, reason.code());
        assertTrue(reason.getMessage().contains("superseded"), reason.getMessage());
        assertTrue(loop.tryEnded());
        // Several intervals later the loop has not beaten or reported again.
        Thread.sleep(INTERVAL.multipliedBy(5).toMillis());
        assertEquals(1, recorder.endings.get());
        assertEquals(0, recorder.failures.get());
      }
    }
  }

  @Test
  void aHeartbeatFromAnotherPidEndsTheLoop() throws Exception {
    try (TaskSession session = started("wrong_pid")) {
      Recorder recorder = new Recorder();
      try (HeartbeatLoop loop = HeartbeatLoop.start(session.client(), HOST, PID + 1, INTERVAL, recorder)) {
        TaskcertException reason = recorder.ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(TaskcertException.TaskNotLive.class, reason);
        assertEquals(Status.Code.FAILED_PRECONDITION, reason.code());
        assertTrue(reason.getMessage().contains("pid " + (PID + 1)), reason.getMessage());
        assertTrue(loop.tryEnded());
        assertEquals(1, recorder.endings.get());
      }
    }
  }

  @Test
  void refusesANonPositiveInterval() throws Exception {
    try (TaskSession session = started("no_interval")) {
      assertThrows(IllegalArgumentException.class,
          () -> HeartbeatLoop.start(session.client(), HOST, PID, Duration.ZERO, reason -> {}));
    }
  }
}

package dev.taskcert.bench.environment;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.credentials.Enrollment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task try enrolled the way a supervisor enrolls (fresh in-memory key, Enroll over the TLS
 * enrollment port), started, and holding its own mutual-TLS connection to the execution port. Like
 * a supervisor it heartbeats while it lives, so that the server's liveness sweep does not end a try
 * that a long benchmark run keeps using.
 *
 * @param identity the try
 * @param credentials its certificate and key
 * @param channel its connection, presenting that certificate
 * @param heartbeats its periodic heartbeat, cancelled on {@link #close}
 */
public record RunningTask(TaskIdentity identity, TaskCredentials credentials, ManagedChannel channel,
    ScheduledFuture<?> heartbeats) implements AutoCloseable {
  /** Host name every benchmark task reports at start. */
  public static final String HOSTNAME = "bench-worker";

  /**
   * How often each task heartbeats: well inside the server's default {@code try.heartbeat_timeout}
   * of five minutes, and rare enough to add nothing measurable to a benchmark's load.
   */
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(30);

  private static final ScheduledExecutorService HEARTBEATS = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "bench-task-heartbeats");
    thread.setDaemon(true);
    return thread;
  });

  /** Queues, enrolls and starts {@code count} tries of {@code taskId}, a few at a time. */
  public static List<RunningTask> start(BenchEnvironment environment, String taskId, int count) throws Exception {
    List<QueuedTry> queued = environment.queueMapped(taskId, count, 4);
    SupervisorConfig config = environment.supervisorConfig();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<RunningTask>> futures = new ArrayList<>();
      for (int i = 0; i < queued.size(); i++) {
        int pid = 10_000 + i;
        QueuedTry task = queued.get(i);
        futures.add(pool.submit(() -> startOne(config, task, pid)));
      }
      List<RunningTask> tasks = new ArrayList<>();
      for (Future<RunningTask> future : futures) {
        tasks.add(future.get());
      }
      return tasks;
    } finally {
      pool.shutdownNow();
    }
  }

  private static RunningTask startOne(SupervisorConfig config, QueuedTry task, int pid) {
    TaskCredentials credentials = Enrollment.enroll(config, task.enrollmentToken(), new SecureRandom());
    ManagedChannel channel = BenchChannels.mutualTls(config.executionTarget(), credentials);
    TaskInstancesGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .startTask(StartTaskRequest.newBuilder().setHostname(HOSTNAME).setPid(pid).setUnixUser("airflow").build());
    TaskInstancesGrpc.TaskInstancesFutureStub instances = TaskInstancesGrpc.newFutureStub(channel);
    HeartbeatRequest heartbeat = HeartbeatRequest.newBuilder().setHostname(HOSTNAME).setPid(pid).build();
    // A heartbeat that fails (the channel closing at the end of a run) is the next one's to retry.
    ScheduledFuture<?> heartbeats = HEARTBEATS.scheduleAtFixedRate(
        () -> instances.withDeadlineAfter(10, TimeUnit.SECONDS).heartbeat(heartbeat),
        HEARTBEAT_INTERVAL.toMillis(), HEARTBEAT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return new RunningTask(task.identity(), credentials, channel, heartbeats);
  }

  @Override
  public void close() {
    heartbeats.cancel(false);
    channel.shutdownNow();
  }
}

package dev.taskcert.supervisor.heartbeat;

import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.ExecutionClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a running try alive on a fixed interval, from the host and pid it started on. When the
 * server says the try is no longer live (it ended, was superseded, or its certificate was revoked)
 * the loop stops and tells its listener, which should stop the task; transient failures are
 * reported and the loop keeps going.
 */
public final class HeartbeatLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);

  /** Hears what the heartbeats learn. */
  public interface Listener {
    /** The try must stop: the server no longer accepts it. Called at most once. */
    void onTryNoLongerLive(TaskcertException reason);

    /** One heartbeat failed for a reason that may pass (the server was unreachable). */
    default void onHeartbeatFailed(TaskcertException error) {}
  }

  private final ExecutionClient client;
  private final String hostname;
  private final int pid;
  private final Listener listener;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean ended = new AtomicBoolean();
  /** Set by {@link #close()}: a heartbeat in flight then is interrupted, which is no failure to report. */
  private volatile boolean closed;

  private HeartbeatLoop(ExecutionClient client, String hostname, int pid, Listener listener) {
    this.client = client;
    this.hostname = hostname;
    this.pid = pid;
    this.listener = listener;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "taskcert-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts heartbeating every {@code interval}, the first one immediately. */
  public static HeartbeatLoop start(ExecutionClient client, String hostname, int pid, Duration interval,
      Listener listener) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive");
    }
    HeartbeatLoop loop = new HeartbeatLoop(client, hostname, pid, listener);
    loop.scheduler.scheduleWithFixedDelay(loop::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return loop;
  }

  private void beat() {
    if (ended.get()) {
      return;
    }
    try {
      client.heartbeat(hostname, pid);
    } catch (RuntimeException e) {
      if (closed) {
        // The run is ending and close() interrupted this heartbeat (CANCELLED): nothing went wrong.
        log.debug("heartbeat stopped by close: {}", e.getMessage());
      } else if (e instanceof TaskcertException.TaskNotLive || e instanceof TaskcertException.NotAuthenticated
          || e instanceof TaskcertException.PermissionDenied) {
        if (ended.compareAndSet(false, true)) {
          log.warn("the server no longer accepts this try: {}", e.getMessage());
          scheduler.shutdown();
          listener.onTryNoLongerLive((TaskcertException) e);
        }
      } else if (e instanceof TaskcertException failure) {
        log.warn("heartbeat failed: {}", failure.getMessage());
        listener.onHeartbeatFailed(failure);
      } else {
        log.error("unexpected heartbeat failure", e);
      }
    }
  }

  /** Whether the loop stopped because the try is no longer live. */
  public boolean tryEnded() {
    return ended.get();
  }

  /** Stops heartbeating; a heartbeat in flight is interrupted and reported to no one. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
  }
}

package dev.taskcert.server.liveness;

import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.TryLiveness;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.taskinstance.TaskState;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails tries that stopped proving they are alive: a running try whose heartbeats stopped for
 * longer than the timeout, or an enrolled try that never started within it. It moves to
 * UP_FOR_RETRY when it has tries left, else FAILED (as Airflow handles a task whose heartbeat
 * timed out), and its certificates are revoked. Every replica sweeps; a transaction-scoped advisory
 * lock lets one act at a time, and row locks taken with SKIP LOCKED keep a try that is being
 * changed by a call out of the sweep until the next one.
 */
@Singleton
public final class TryReaper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TryReaper.class);
  /** Most tries ended in one transaction; a sweep repeats while batches come back full. */
  static final int BATCH = 200;

  private final Transactions transactions;
  private final TryEnding ending;
  private final TryLiveness liveness;
  private final String principal = "taskcert-server/" + UUID.randomUUID().toString().substring(0, 8);
  private ScheduledExecutorService scheduler;

  @Inject
  TryReaper(Transactions transactions, TryEnding ending, ServerConfig config) {
    this.transactions = transactions;
    this.ending = ending;
    this.liveness = config.liveness();
  }

  /** Starts sweeping every {@link TryLiveness#sweepInterval()}. */
  public synchronized void start() {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "taskcert-try-reaper");
      thread.setDaemon(true);
      return thread;
    });
    long millis = liveness.sweepInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::sweepQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs one sweep now; returns how many tries it ended. */
  public int sweep() {
    int total = 0;
    List<EndedTry> batch;
    do {
      batch = transactions.inTransaction(session -> {
        TryEndingMapper mapper = session.getMapper(TryEndingMapper.class);
        if (!mapper.trySweepLock()) {
          return List.of(); // another replica is sweeping
        }
        List<EndingTry> stale = mapper.lockStaleTries(liveness.heartbeatTimeout().toMillis(), BATCH);
        return ending.endAll(session, stale,
            one -> one.hasTriesLeft() ? TaskState.UP_FOR_RETRY : TaskState.FAILED, this::reasonFor);
      });
      ending.announce(batch, principal, null);
      total += batch.size();
    } while (batch.size() == BATCH);
    return total;
  }

  private String reasonFor(EndingTry stale) {
    return stale.taskState() == TaskState.RUNNING
        ? "no heartbeat for more than " + liveness.heartbeatTimeout()
        : "enrolled but not started within " + liveness.heartbeatTimeout();
  }

  private void sweepQuietly() {
    try {
      int ended = sweep();
      if (ended > 0) {
        log.info("ended {} tr{} whose heartbeats stopped", ended, ended == 1 ? "y" : "ies");
      }
    } catch (RuntimeException e) {
      log.warn("try liveness sweep failed; retrying in {}: {}", liveness.sweepInterval(), e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}

package dev.taskcert.server.xcom;

import dev.taskcert.server.db.Transactions;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes XComs with group commit: writes that arrive while another batch is being written wait and
 * then go together, as one statement in one transaction, so that PostgreSQL pays one commit for
 * many writes. A write that finds nothing in progress is written at once by its own thread, so a
 * lone caller waits for nothing; under load, whoever is first in line writes the next batch (no
 * thread of its own). Every caller returns only once its value is committed; a batch that one
 * write's data spoils is retried write by write, so each caller gets the outcome of its own write,
 * and a batch the database fails to take fails every write in it with that failure.
 *
 * <p>Two writes of the same XCom in one batch keep the later one, as if the earlier had been
 * overwritten a moment after it was written; concurrent writes of one XCom have no order anyway.
 */
@Singleton
public final class XComWriter {
  /** Most writes in one statement: bounded, so one batch never holds many callers for long. */
  static final int MAX_BATCH = 64;

  private final Transactions transactions;
  private final Object lock = new Object();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** Whether some caller is writing a batch now; at most one at a time. */
  private boolean writing;

  @Inject
  XComWriter(Transactions transactions) {
    this.transactions = transactions;
  }

  /**
   * Writes {@code write} and returns once it is committed.
   *
   * @throws RuntimeException what writing it alone would have thrown
   */
  public void write(XComWrite write) {
    Pending mine = new Pending(write);
    synchronized (lock) {
      queue.add(mine);
      if (!writing) {
        writing = true;
        mine.lead();
      }
    }
    while (mine.awaitTurn()) {
      writeNextBatch();
    }
  }

  /** Writes the writes at the head of the queue, then hands the turn to whoever is next in line. */
  private void writeNextBatch() {
    List<Pending> batch = new ArrayList<>();
    synchronized (lock) {
      while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
    }
    try {
      writeTogether(batch);
    } finally {
      synchronized (lock) {
        Pending next = queue.peek();
        if (next == null) {
          writing = false;
        } else {
          next.lead();
        }
      }
    }
  }

  private void writeTogether(List<Pending> batch) {
    List<Pending> standing = latestOfEach(batch);
    if (standing.size() > 1) {
      try {
        List<XComWrite> writes = standing.stream().map(Pending::write).toList();
        int written = transactions.oneStatement(XComMapper.class, mapper -> mapper.upsertAll(writes));
        if (written == writes.size()) {
          batch.forEach(pending -> pending.finish(null));
          return;
        }
      } catch (RuntimeException e) {
        if (!spoiledByOneWrite(e)) {
          // The database itself failed (unreachable, shutting down): each write alone would fail alike.
          batch.forEach(pending -> pending.finish(e));
          return;
        }
        // One write's data spoils the statement for all: write them one by one so each gets its own outcome.
      }
    }
    for (Pending pending : batch) {
      XComWrite write = pending.write();
      try {
        transactions.oneStatement(XComMapper.class, mapper -> mapper.upsert(write.dagId(), write.runId(),
            write.taskId(), write.mapIndex(), write.key(), write.value(), write.mappedLength(), write.dagResult()));
        pending.finish(null);
      } catch (RuntimeException e) {
        pending.finish(e);
      }
    }
  }

  /** Whether {@code failure} is PostgreSQL refusing some row's data (SQLSTATE class 22 or 23), not the database failing. */
  private static boolean spoiledByOneWrite(RuntimeException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23");
      }
    }
    return false;
  }

  /** The writes of {@code batch} that stand: of several writes of one XCom, the last to arrive. */
  private static List<Pending> latestOfEach(List<Pending> batch) {
    List<Pending> standing = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      XComWrite write = batch.get(i).write();
      boolean overwritten = false;
      for (int j = i + 1; j < batch.size() && !overwritten; j++) {
        overwritten = batch.get(j).write().sameXCom(write);
      }
      if (!overwritten) {
        standing.add(batch.get(i));
      }
    }
    return standing;
  }

  /** A write waiting in line: done (with its failure, if any), or told that it is its turn to write a batch. */
  private static final class Pending {
    private final XComWrite write;
    private boolean lead;
    private boolean done;
    private RuntimeException failure;

    Pending(XComWrite write) {
      this.write = write;
    }

    XComWrite write() {
      return write;
    }

    synchronized void lead() {
      lead = true;
      notifyAll();
    }

    synchronized void finish(RuntimeException failure) {
      this.done = true;
      this.failure = failure;
      notifyAll();
    }

    /**
     * Waits until this write is done (returns {@code false}, or throws its failure) or it is this
     * caller's turn to write a batch (returns {@code true}). Not interruptible: a caller that holds
     * the turn must pass it on, and one that waits must learn its outcome.
     */
    synchronized boolean awaitTurn() {
      boolean interrupted = false;
      while (!done && !lead) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (done) {
        if (failure != null) {
          throw failure;
        }
        return false;
      }
      lead = false;
      return true;
    }
  }
}

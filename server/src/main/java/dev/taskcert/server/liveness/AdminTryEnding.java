package dev.taskcert.server.liveness;

import dev.taskcert.server.catalog.CatalogMapper;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.taskinstance.TaskState;
import jakarta.inject.Inject;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The control plane's ways of ending tries: ending a dag run ends its unfinished tries, and an
 * admin may end one try. Both go through {@link TryEnding}, so the certificates of every ended try
 * are revoked in the same transaction as the state change.
 */
public final class AdminTryEnding {
  /** States a try may be in for an admin to end it. */
  private static final Set<TaskState> UNFINISHED =
      EnumSet.of(TaskState.QUEUED, TaskState.RUNNING, TaskState.DEFERRED, TaskState.UP_FOR_RESCHEDULE);

  private final Transactions transactions;
  private final TryEnding ending;

  @Inject
  AdminTryEnding(Transactions transactions, TryEnding ending) {
    this.transactions = transactions;
    this.ending = ending;
  }

  /**
   * Sets a dag run's state; when that ends the run ("success" or "failed"), its unfinished tries
   * end as Airflow ends them: all SUCCESS for a successful run; for a failed one, running tries
   * FAILED and the others SKIPPED.
   *
   * @return the tries ended, already announced
   * @throws Refusal NOT_FOUND if the run does not exist
   */
  public List<EndedTry> setRunState(String dagId, String runId, String state, String principal, String rpc) {
    List<EndedTry> ended = transactions.inTransaction(session -> {
      if (session.getMapper(CatalogMapper.class).setDagRunState(dagId, runId, state) == 0) {
        throw Refusal.notFound("dag run does not exist");
      }
      if (!state.equals("success") && !state.equals("failed")) {
        return List.of();
      }
      List<EndingTry> unfinished = session.getMapper(TryEndingMapper.class).lockUnfinishedTriesOfRun(dagId, runId);
      return ending.endAll(session, unfinished,
          one -> state.equals("success") ? TaskState.SUCCESS
              : one.taskState() == TaskState.RUNNING ? TaskState.FAILED : TaskState.SKIPPED,
          one -> "dag run " + dagId + "/" + runId + " set to " + state);
    });
    ending.announce(ended, principal, rpc);
    return ended;
  }

  /**
   * Ends the current try of a task instance with {@code state}.
   *
   * @throws Refusal NOT_FOUND if there is no such task instance; FAILED_PRECONDITION if the named
   *     try is not the current one or is already finished
   */
  public EndedTry endTry(String dagId, String runId, String taskId, int mapIndex, int tryNumber, TaskState state,
      String reason, String principal, String rpc) {
    EndedTry ended = transactions.inTransaction(session -> {
      EndingTry locked = session.getMapper(TryEndingMapper.class).lockTaskInstance(dagId, runId, taskId, mapIndex);
      if (locked == null) {
        throw Refusal.notFound("task instance does not exist");
      }
      if (locked.tryNumber() != tryNumber) {
        throw Refusal.precondition("try " + tryNumber + " is not current: the current try is " + locked.tryNumber());
      }
      if (!UNFINISHED.contains(locked.taskState())) {
        throw Refusal.precondition("try " + tryNumber + " is already " + locked.state());
      }
      return ending.end(session, locked, state, reason);
    });
    ending.announce(List.of(ended), principal, rpc);
    return ended;
  }
}

package dev.taskcert.server.liveness;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.taskinstance.TaskState;

/** A try about to be ended, as read (and locked) from its task instance row. */
public record EndingTry(
    long id, String dagId, String runId, String taskId, int mapIndex, int tryNumber, int maxTries, String state) {

  public TaskIdentity identity() {
    return new TaskIdentity(dagId, runId, taskId, mapIndex, tryNumber);
  }

  public TaskState taskState() {
    return TaskState.valueOf(state);
  }

  /**
   * Whether this try may be retried, with Airflow's meaning of max_tries (the number of retries): a
   * try is eligible to retry while its number is at most max_tries.
   */
  public boolean hasTriesLeft() {
    return tryNumber <= maxTries;
  }
}

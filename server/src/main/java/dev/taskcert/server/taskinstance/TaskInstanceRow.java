package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import java.time.Instant;

/**
 * One task instance as stored: its current try and state.
 *
 * @param id surrogate key
 * @param tryNumber the current try; certificates of any other try are refused
 * @param executionGeneration the current execution of the try (1, then one more per resume after
 *     deferral or reschedule); certificates of an earlier generation are refused
 * @param updatedAt when the row last changed, by the database's clock (for a finished try: when it finished)
 */
public record TaskInstanceRow(
    long id,
    String dagId,
    String runId,
    String taskId,
    int mapIndex,
    int tryNumber,
    int maxTries,
    String state,
    String hostname,
    Integer pid,
    Instant startDate,
    Instant endDate,
    int executionGeneration,
    Instant updatedAt) {

  /** The identity of this instance's current try. */
  public TaskIdentity currentTry() {
    return new TaskIdentity(dagId, runId, taskId, mapIndex, tryNumber);
  }

  public TaskState taskState() {
    return TaskState.valueOf(state);
  }
}

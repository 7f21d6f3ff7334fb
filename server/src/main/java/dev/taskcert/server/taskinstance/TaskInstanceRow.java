package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import java.time.Instant;

/**
 * One task instance as stored: its current try and state.
 *
 * @param id surrogate key
 * @param tryNumber the current try; certificates of any other try are refused
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
    Instant endDate) {

  /** The identity of this instance's current try. */
  public TaskIdentity currentTry() {
    return new TaskIdentity(dagId, runId, taskId, mapIndex, tryNumber);
  }

  public TaskState taskState() {
    return TaskState.valueOf(state);
  }
}

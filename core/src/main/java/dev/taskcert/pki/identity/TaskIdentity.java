package dev.taskcert.pki.identity;

/**
 * One try of one task instance: the identity a task certificate carries.
 *
 * <p>Ids are arbitrary Unicode text (Airflow allows any word character in dag and task ids, and
 * run ids contain {@code :}, {@code +} and {@code ~}); they are escaped only when encoded into a
 * SPIFFE ID, see {@link SpiffeIdCodec}.
 *
 * @param dagId the DAG id, 1 to {@value #MAX_ID_LENGTH} characters
 * @param runId the dag run id, 1 to {@value #MAX_ID_LENGTH} characters
 * @param taskId the task id, 1 to {@value #MAX_ID_LENGTH} characters
 * @param mapIndex the map index, {@code -1} for an unmapped task
 * @param tryNumber the try number, starting at 1
 */
public record TaskIdentity(String dagId, String runId, String taskId, int mapIndex, int tryNumber)
    implements WorkloadIdentity {

  /** Longest id accepted, in UTF-16 characters (Airflow's ID_LEN). */
  public static final int MAX_ID_LENGTH = 250;

  public TaskIdentity {
    requireId("dag id", dagId);
    requireId("run id", runId);
    requireId("task id", taskId);
    if (mapIndex < -1) {
      throw new InvalidIdentityException("map index must be -1 (unmapped) or >= 0, got " + mapIndex);
    }
    if (tryNumber < 1) {
      throw new InvalidIdentityException("try number must be >= 1, got " + tryNumber);
    }
  }

  /** The same task instance at another try. */
  public TaskIdentity withTryNumber(int newTryNumber) {
    return new TaskIdentity(dagId, runId, taskId, mapIndex, newTryNumber);
  }

  /** Whether {@code other} is the same task instance (dag, run, task, map index), whatever the try. */
  public boolean sameTaskInstanceAs(TaskIdentity other) {
    return dagId.equals(other.dagId)
        && runId.equals(other.runId)
        && taskId.equals(other.taskId)
        && mapIndex == other.mapIndex;
  }

  private static void requireId(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidIdentityException(what + " must not be empty");
    }
    if (value.length() > MAX_ID_LENGTH) {
      throw new InvalidIdentityException(
          what + " must be at most " + MAX_ID_LENGTH + " characters, got " + value.length());
    }
    if (!SegmentEscaping.isWellFormedUnicode(value)) {
      throw new InvalidIdentityException(what + " contains an unpaired surrogate or a NUL character");
    }
  }
}

package dev.taskcert.server.enrollment;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.refusal.Refusal;
import java.time.Instant;

/**
 * An enrollment token and the try it was minted for, as enrollment reads them in one query before
 * it looks at the CSR ({@link EnrollmentTokenMapper#lookup}), and again to tell why a refused
 * enrollment was refused.
 *
 * @param redeemable whether the token is neither used, voided nor expired, by the database's clock
 * @param tokenTryNumber the try the token was minted for
 * @param tokenGeneration the execution of that try the token was minted for
 * @param id the task instance
 * @param tryNumber the task instance's current try
 * @param executionGeneration the current try's current execution
 * @param tryDeadline when the try reaches its maximum duration, by the database's clock
 * @param databaseNow the database's clock when it was read
 */
public record TokenTry(
    boolean redeemable,
    int tokenTryNumber,
    int tokenGeneration,
    long id,
    String dagId,
    String runId,
    String taskId,
    int mapIndex,
    int tryNumber,
    int executionGeneration,
    String state,
    Instant tryDeadline,
    Instant databaseNow) {

  /** The identity of the task instance's current try, which a certificate is issued for. */
  public TaskIdentity currentTry() {
    return new TaskIdentity(dagId, runId, taskId, mapIndex, tryNumber);
  }

  /**
   * Refuses (FAILED_PRECONDITION, not audited) a token whose try is superseded by a later try or a
   * later execution, or is not QUEUED.
   */
  public void requireEnrollable() {
    if (tryNumber != tokenTryNumber) {
      throw Refusal.precondition("the token's try " + tokenTryNumber + " is superseded by try " + tryNumber);
    }
    if (executionGeneration != tokenGeneration) {
      throw Refusal.precondition("the token's execution " + tokenGeneration
          + " of the try is superseded by execution " + executionGeneration);
    }
    if (!state.equals("QUEUED")) {
      throw Refusal.precondition("task instance is " + state + "; enrollment needs QUEUED");
    }
  }
}

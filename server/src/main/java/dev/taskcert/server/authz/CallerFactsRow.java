package dev.taskcert.server.authz;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.server.catalog.DagOwnership;
import dev.taskcert.server.taskinstance.TaskInstanceRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the gates decide a task's call on, as {@link CallerFactsMapper#FACTS} read it at once: the
 * task instance columns are {@code null} when there is no such task instance, the DAG's when the
 * DAG is not registered.
 *
 * @param revoked whether the caller's certificate is revoked
 * @param certificateGeneration the execution of its try the certificate was issued for, {@code
 *     null} for a serial the CA did not record
 * @param tryDeadline when the try reaches its maximum duration (from now for a try without a
 *     certificate yet), by the database's clock
 * @param databaseNow the database's clock when it was read
 */
public record CallerFactsRow(
    boolean revoked,
    Integer certificateGeneration,
    Long id,
    Integer tryNumber,
    Integer maxTries,
    String state,
    String hostname,
    Integer pid,
    Instant startDate,
    Instant endDate,
    Integer executionGeneration,
    Instant updatedAt,
    boolean dagRegistered,
    String team,
    Boolean declaresResources,
    List<String> allowedConnectionIds,
    List<String> allowedVariablePatterns,
    String xcomReadScope,
    Instant tryDeadline,
    Instant databaseNow) {

  /** The caller's task instance, if it exists. */
  public Optional<TaskInstanceRow> row(TaskIdentity caller) {
    return id == null ? Optional.empty() : Optional.of(new TaskInstanceRow(id, caller.dagId(), caller.runId(),
        caller.taskId(), caller.mapIndex(), tryNumber, maxTries, state, hostname, pid, startDate, endDate,
        executionGeneration, updatedAt));
  }

  /** The caller's DAG's owner and declarations, if the DAG is registered. */
  public Optional<DagOwnership> ownership(String dagId) {
    return dagRegistered
        ? Optional.of(new DagOwnership(dagId, team, declaresResources, allowedConnectionIds, allowedVariablePatterns,
            xcomReadScope))
        : Optional.empty();
  }

  /** The execution the certificate was issued for, or 0 for a serial never issued to a task. */
  public int generation() {
    return certificateGeneration == null ? 0 : certificateGeneration;
  }

  /** What is left of the try's maximum duration, by the database's clock. */
  public Duration tryTimeLeft() {
    return Duration.between(databaseNow, tryDeadline);
  }
}

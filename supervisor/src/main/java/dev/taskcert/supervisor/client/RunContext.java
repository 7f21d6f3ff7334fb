package dev.taskcert.supervisor.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rest of the run context StartTask returns, as Airflow's TIRunContext carries it.
 *
 * @param shouldRetry whether a failure of this try should end UP_FOR_RETRY rather than FAILED
 * @param taskRescheduleCount how many times this try was rescheduled before this execution
 * @param nextMethod on resume after a deferral, the method to call
 * @param nextKwargsJson on resume, its arguments as a JSON object
 * @param nextKwargsSealed on resume, its arguments as the opaque (encrypted) string given at deferral
 * @param startDate when the try first started (kept across resumes)
 * @param upstreamMapIndexes map indexes of each declared upstream task's instances in the run
 * @param taskInstanceId the control plane's id of the task instance, if it gave one
 * @param executionGeneration which execution of the try this is (1, then one more per resume)
 * @param renderedMapIndex the map index as rendered at an earlier execution of the try
 * @param runAfter the dag run's run_after
 * @param runStartDate when the dag run was created
 * @param runEndDate when the dag run ended, if it has
 * @param runState the dag run's state
 * @param clearNumber how many times the dag run was cleared
 */
public record RunContext(
    boolean shouldRetry,
    int taskRescheduleCount,
    Optional<String> nextMethod,
    Optional<String> nextKwargsJson,
    Optional<String> nextKwargsSealed,
    Optional<Instant> startDate,
    Map<String, List<Integer>> upstreamMapIndexes,
    Optional<String> taskInstanceId,
    int executionGeneration,
    Optional<String> renderedMapIndex,
    Optional<Instant> runAfter,
    Optional<Instant> runStartDate,
    Optional<Instant> runEndDate,
    String runState,
    int clearNumber) {
  public RunContext {
    upstreamMapIndexes = Map.copyOf(upstreamMapIndexes);
  }
}

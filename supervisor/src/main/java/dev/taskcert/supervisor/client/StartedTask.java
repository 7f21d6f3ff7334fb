package dev.taskcert.supervisor.client;

import java.util.List;

/**
 * What the server tells a task when it starts.
 *
 * @param maxTries how many retries the task has (Airflow's max_tries)
 * @param xcomKeysToClear XCom keys earlier tries of this task left behind
 * @param context the rest of the run context (retry eligibility, resume method, ...)
 */
public record StartedTask(DagRun dagRun, int tryNumber, int maxTries, List<String> xcomKeysToClear,
    RunContext context) {
  public StartedTask {
    xcomKeysToClear = List.copyOf(xcomKeysToClear);
  }

  public String dagId() {
    return dagRun.dagId();
  }

  public String runId() {
    return dagRun.runId();
  }
}

package dev.taskcert.supervisor.client;

import java.util.List;

/**
 * What the server tells a task when it starts.
 *
 * @param xcomKeysToClear XCom keys earlier tries of this task left behind
 */
public record StartedTask(DagRun dagRun, int tryNumber, int maxTries, List<String> xcomKeysToClear) {
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

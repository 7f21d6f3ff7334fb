package dev.taskcert.supervisor.client;

import java.util.Objects;

/**
 * Where an XCom lives. An empty dag or run id means the caller's own.
 *
 * @param key the XCom key ({@code return_value} by convention)
 */
public record XComLocation(String dagId, String runId, String taskId, String key) {
  public XComLocation {
    Objects.requireNonNull(dagId);
    Objects.requireNonNull(runId);
    Objects.requireNonNull(taskId);
    Objects.requireNonNull(key);
  }

  /** An XCom of another task in the caller's own dag run. */
  public static XComLocation inOwnRun(String taskId, String key) {
    return new XComLocation("", "", taskId, key);
  }
}

package dev.taskcert.supervisor.client;

import java.time.Instant;
import java.util.Optional;

/**
 * One event of an asset.
 *
 * @param source the task try's (dag, run, task, map index) that produced it, if a task did
 */
public record AssetEvent(long id, Instant timestamp, String extraJson, Asset asset, Optional<Source> source) {

  /** The producing task. */
  public record Source(String dagId, String runId, String taskId, int mapIndex) {}
}

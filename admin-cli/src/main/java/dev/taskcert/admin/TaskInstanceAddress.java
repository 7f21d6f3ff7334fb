package dev.taskcert.admin;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A task instance as commands name it: DAG, RUN and TASK, and {@code --map-index} for a mapped one. */
final class TaskInstanceAddress {
  @Parameters(index = "0", paramLabel = "DAG", description = "the DAG id")
  String dagId;

  @Parameters(index = "1", paramLabel = "RUN", description = "the run id")
  String runId;

  @Parameters(index = "2", paramLabel = "TASK", description = "the task id")
  String taskId;

  @Option(names = "--map-index", defaultValue = "-1", paramLabel = "N",
      description = "map index, -1 for an unmapped task (default ${DEFAULT-VALUE})")
  int mapIndex;

  /** How output names it: {@code dag / run / task}, with {@code [index]} for a mapped one. */
  @Override
  public String toString() {
    return dagId + " / " + runId + " / " + taskId + (mapIndex < 0 ? "" : " [" + mapIndex + "]");
  }
}

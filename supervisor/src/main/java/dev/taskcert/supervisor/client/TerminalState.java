package dev.taskcert.supervisor.client;

import dev.taskcert.proto.execution.v1.TaskState;

/** The states a task can finish its try in. */
public enum TerminalState {
  SUCCESS(TaskState.TASK_STATE_SUCCESS),
  FAILED(TaskState.TASK_STATE_FAILED),
  SKIPPED(TaskState.TASK_STATE_SKIPPED),
  UP_FOR_RETRY(TaskState.TASK_STATE_UP_FOR_RETRY),
  REMOVED(TaskState.TASK_STATE_REMOVED),
  UPSTREAM_FAILED(TaskState.TASK_STATE_UPSTREAM_FAILED);

  private final TaskState wire;

  TerminalState(TaskState wire) {
    this.wire = wire;
  }

  TaskState wire() {
    return wire;
  }
}

package dev.taskcert.server.taskinstance;

import java.util.EnumSet;
import java.util.Set;

/** The states a task try moves through, as stored in {@code task_instance.state}. */
public enum TaskState {
  QUEUED,
  RUNNING,
  SUCCESS,
  FAILED,
  SKIPPED,
  UP_FOR_RETRY,
  DEFERRED,
  UP_FOR_RESCHEDULE,
  REMOVED,
  UPSTREAM_FAILED;

  /** States a try reaches by reporting them itself (FinishTask): the ones that open its post-terminal grace. */
  public static final Set<TaskState> FINISHED_BY_ITSELF =
      EnumSet.of(SUCCESS, FAILED, SKIPPED, UP_FOR_RETRY, REMOVED, UPSTREAM_FAILED);

  private static final Set<TaskState> LIVE = EnumSet.of(QUEUED, RUNNING);

  /** Whether certificates of a try in this state may still be used. */
  public boolean isLive() {
    return LIVE.contains(this);
  }

  /** The wire enum for this state. */
  public dev.taskcert.proto.execution.v1.TaskState toProto() {
    return dev.taskcert.proto.execution.v1.TaskState.valueOf("TASK_STATE_" + name());
  }

  /** The state for a wire enum, or {@code null} for UNSPECIFIED/unknown values. */
  public static TaskState fromProto(dev.taskcert.proto.execution.v1.TaskState state) {
    String name = state.name();
    if (!name.startsWith("TASK_STATE_") || state == dev.taskcert.proto.execution.v1.TaskState.TASK_STATE_UNSPECIFIED
        || state == dev.taskcert.proto.execution.v1.TaskState.UNRECOGNIZED) {
      return null;
    }
    return valueOf(name.substring("TASK_STATE_".length()));
  }
}

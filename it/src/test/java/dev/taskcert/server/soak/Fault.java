package dev.taskcert.server.soak;

import dev.taskcert.supervisor.TaskcertException;

/**
 * A fault the soak injects into one running try, and which failures it explains afterwards. Once
 * a fault has been injected, every call of that try must fail with one of those, and its
 * certificate renewal must stop with one of those.
 */
enum Fault {
  /** An operator revokes every certificate of the try through the Admin API. */
  REVOKED {
    @Override
    boolean explains(TaskcertException failure) {
      return failure instanceof TaskcertException.NotAuthenticated;
    }
  },
  /** The task ends: its supervisor reports a terminal state, and something still calls afterwards. */
  FINISHED,
  /** The control plane queues the next try of the task, superseding this one. */
  SUPERSEDED;

  /**
   * Whether {@code failure} is what a call of a try with this fault must get. A try that ended or
   * was superseded is refused as no longer live; once renewal has stopped, its last certificate
   * also expires, and calls are refused as unauthenticated for that reason.
   */
  boolean explains(TaskcertException failure) {
    return failure instanceof TaskcertException.TaskNotLive
        || failure instanceof TaskcertException.NotAuthenticated && failure.getMessage().contains("expired");
  }
}

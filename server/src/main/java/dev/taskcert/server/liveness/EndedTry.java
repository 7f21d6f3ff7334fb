package dev.taskcert.server.liveness;

import dev.taskcert.server.taskinstance.TaskState;
import java.util.List;

/** A try that was ended: the state it left, the state it now has, why, and the certificates revoked. */
public record EndedTry(EndingTry before, TaskState state, String reason, List<String> revokedSerials) {
  public EndedTry {
    revokedSerials = List.copyOf(revokedSerials);
  }
}

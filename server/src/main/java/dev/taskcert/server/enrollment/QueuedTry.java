package dev.taskcert.server.enrollment;

import dev.taskcert.pki.identity.TaskIdentity;
import java.time.Instant;

/**
 * A task try just queued, with the enrollment token its supervisor redeems. The token is not
 * stored anywhere in clear: this value is the only place it exists.
 */
public record QueuedTry(TaskIdentity identity, String spiffeId, String enrollmentToken, Instant tokenExpiresAt) {
  @Override
  public String toString() {
    return "QueuedTry[identity=" + identity + ", tokenExpiresAt=" + tokenExpiresAt + "]";
  }
}

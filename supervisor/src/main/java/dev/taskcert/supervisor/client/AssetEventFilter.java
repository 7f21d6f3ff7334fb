package dev.taskcert.supervisor.client;

import java.time.Instant;
import java.util.Optional;

/**
 * Which events to list: within [after, before], oldest first unless not {@code ascending}, at most
 * {@code limit} (0 = the server's maximum).
 */
public record AssetEventFilter(Optional<Instant> after, Optional<Instant> before, boolean ascending, int limit) {

  /** Every event, oldest first, up to the server's maximum. */
  public static AssetEventFilter all() {
    return new AssetEventFilter(Optional.empty(), Optional.empty(), true, 0);
  }
}

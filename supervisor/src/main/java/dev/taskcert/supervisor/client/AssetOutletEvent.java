package dev.taskcert.supervisor.client;

import java.util.Optional;

/**
 * An asset event to record when the try succeeds: for {@code asset}, with {@code extraJson} (a JSON
 * object, empty for {@code {}}), optionally through asset alias {@code alias}.
 */
public record AssetOutletEvent(AssetKey asset, String extraJson, Optional<String> alias) {

  /** An event for {@code asset} with no extra, not through an alias. */
  public static AssetOutletEvent of(AssetKey asset) {
    return new AssetOutletEvent(asset, "", Optional.empty());
  }
}

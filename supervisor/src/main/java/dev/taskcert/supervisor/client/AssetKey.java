package dev.taskcert.supervisor.client;

/**
 * Names an asset by its name, its URI, or both (an empty string is not compared).
 */
public record AssetKey(String name, String uri) {

  /** The asset named {@code name}. */
  public static AssetKey byName(String name) {
    return new AssetKey(name, "");
  }

  /** The asset with URI {@code uri}. */
  public static AssetKey byUri(String uri) {
    return new AssetKey("", uri);
  }
}

package dev.taskcert.server.statestore;

import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;

/** Bounds of state store keys and values. */
final class StoreValues {
  /** Longest key, in bytes. */
  static final int MAX_KEY_BYTES = 512;
  /** Largest value, in bytes of JSON. */
  static final int MAX_VALUE_BYTES = 64 * 1024;

  private StoreValues() {}

  static String key(String key) {
    return RequestLimits.requireText(key, "key", MAX_KEY_BYTES);
  }

  /** A JSON value other than null, within bounds. */
  static String value(String json) {
    JsonValues.requireJson(json, "value_json", MAX_VALUE_BYTES);
    if (json.strip().equals("null")) {
      throw RequestLimits.invalid("value_json must not be null");
    }
    return json;
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.server.refusal.Refusal;
import java.nio.charset.StandardCharsets;

/** Validation of request fields: every text field is bounded, and violations are INVALID_ARGUMENT. */
public final class RequestLimits {
  private RequestLimits() {}

  /**
   * Returns {@code value} when it is 1 to {@code maxBytes} bytes of UTF-8.
   *
   * @throws Refusal an invalid request naming the field otherwise
   */
  public static String requireText(String value, String field, int maxBytes) {
    if (value == null || value.isEmpty()) {
      throw invalid(field + " is required");
    }
    return optionalText(value, field, maxBytes);
  }

  /** Returns {@code value} (possibly empty) when it is at most {@code maxBytes} bytes of UTF-8. */
  public static String optionalText(String value, String field, int maxBytes) {
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw invalid(field + " is " + bytes + " bytes; the limit is " + maxBytes);
    }
    if (value.indexOf('\0') >= 0) {
      throw invalid(field + " must not contain NUL characters");
    }
    return value;
  }

  /** An invalid-request refusal (INVALID_ARGUMENT) with {@code description}. */
  public static Refusal invalid(String description) {
    return Refusal.invalid(description);
  }
}

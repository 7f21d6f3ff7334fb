package dev.taskcert.server.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens for key-ordered listings: the base64url of the last key of the previous page.
 * A token that does not decode is INVALID_ARGUMENT.
 */
public final class PageTokens {
  private PageTokens() {}

  public static String encode(String lastKey) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }

  /** The key to continue after; empty for the first page. */
  public static String decode(String token) {
    if (token.isEmpty()) {
      return "";
    }
    if (token.length() > 1024) {
      throw RequestLimits.invalid("page_token is too long");
    }
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw RequestLimits.invalid("page_token is not a token this server issued");
    }
  }

  /** The page size to use: 0 means 100; otherwise 1 to {@code max}. */
  public static int pageSize(int requested, int max) {
    if (requested == 0) {
      return Math.min(100, max);
    }
    if (requested < 0 || requested > max) {
      throw RequestLimits.invalid("page_size must be between 1 and " + max);
    }
    return requested;
  }
}

package dev.taskcert.server.grpc;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens for key-ordered listings: the base64url of the UTF-8 of the last key of the
 * previous page. A token that does not decode to such a key (bad base64, bad UTF-8, or a NUL
 * character, which no key holds) is INVALID_ARGUMENT.
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
    String key;
    try {
      key = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(token)))
          .toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw notIssued();
    }
    if (key.indexOf('\0') >= 0) {
      throw notIssued(); // keys never hold NUL, and PostgreSQL refuses it as a query parameter
    }
    return key;
  }

  private static RuntimeException notIssued() {
    return RequestLimits.invalid("page_token is not a token this server issued");
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

package dev.taskcert.pki.identity;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The reversible, injective escaping that turns any Unicode id into one SPIFFE path segment.
 *
 * <p>The id is encoded as UTF-8. Each byte that is an ASCII letter, digit, {@code _} or {@code -}
 * is written as itself; every other byte (including {@code .}) is written as {@code .} followed by
 * its value in two lower-case hex digits. So {@code a:b} becomes {@code a.3ab} and {@code é}
 * becomes {@code .c3.a9}. Because {@code .} never stands for itself, a segment can never be
 * {@code .} or {@code ..}, and every id has exactly one spelling: decoding rejects upper-case hex,
 * escapes of bytes that must be literal, truncated escapes and invalid UTF-8.
 */
final class SegmentEscaping {
  private static final char ESCAPE = '.';
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private SegmentEscaping() {}

  static String encode(String id) {
    byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(utf8.length * 3);
    for (byte b : utf8) {
      int v = b & 0xff;
      if (isLiteral(v)) {
        out.append((char) v);
      } else {
        out.append(ESCAPE).append(HEX[v >>> 4]).append(HEX[v & 0x0f]);
      }
    }
    return out.toString();
  }

  static String decode(String segment, String what) {
    if (segment.isEmpty()) {
      throw new InvalidIdentityException(what + " segment is empty");
    }
    ByteBuffer bytes = ByteBuffer.allocate(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < 0x80 && isLiteral(c)) {
        bytes.put((byte) c);
      } else if (c == ESCAPE) {
        if (i + 2 >= segment.length()) {
          throw new InvalidIdentityException(what + " segment has a truncated escape at offset " + i);
        }
        int hi = lowerHexValue(segment.charAt(i + 1));
        int lo = lowerHexValue(segment.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw new InvalidIdentityException(
              what + " segment has an escape that is not two lower-case hex digits at offset " + i);
        }
        int v = (hi << 4) | lo;
        if (isLiteral(v)) {
          throw new InvalidIdentityException(
              what + " segment escapes a character that must be written as itself at offset " + i);
        }
        bytes.put((byte) v);
        i += 2;
      } else {
        throw new InvalidIdentityException(
            what + " segment contains a character outside [A-Za-z0-9._-] at offset " + i);
      }
    }
    bytes.flip();
    String id;
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      id = chars.toString();
    } catch (CharacterCodingException e) {
      throw new InvalidIdentityException(what + " segment does not decode to valid UTF-8");
    }
    if (!isWellFormedUnicode(id)) {
      throw new InvalidIdentityException(what + " segment decodes to a NUL character");
    }
    return id;
  }

  /** True when the text has no unpaired surrogate and no NUL, so it survives UTF-8 and PostgreSQL. */
  static boolean isWellFormedUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLiteral(int v) {
    return (v >= 'a' && v <= 'z')
        || (v >= 'A' && v <= 'Z')
        || (v >= '0' && v <= '9')
        || v == '_'
        || v == '-';
  }

  private static int lowerHexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}

package dev.taskcert.server.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Validation of JSON text in requests (XCom values, trigger arguments, rendered fields, run conf,
 * connection extras): size bounded, nesting bounded, strictly one JSON value, and nothing that the
 * PostgreSQL {@code jsonb} column it is stored in would refuse, so that a bad value is
 * INVALID_ARGUMENT here rather than a failed insert. {@code jsonb} refuses the NUL character, an
 * unpaired UTF-16 surrogate escape (such as a lone {@code \ud800}), a number beyond the range of
 * {@code numeric} (more than {@value #MAX_INTEGER_DIGITS} digits before or {@value
 * #MAX_FRACTION_DIGITS} after the decimal point, as with {@code 1e999999}), and a byte-order mark.
 */
public final class JsonValues {
  /** Deepest nesting accepted. */
  public static final int MAX_DEPTH = 64;
  /** Most digits of a number before the decimal point that PostgreSQL {@code numeric} holds. */
  public static final int MAX_INTEGER_DIGITS = 131_072;
  /** Most digits of a number after the decimal point that PostgreSQL {@code numeric} holds. */
  public static final int MAX_FRACTION_DIGITS = 16_383;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  private JsonValues() {}

  /** Returns {@code text} when it is one JSON value of at most {@code maxBytes} bytes. */
  public static String requireJson(String text, String field, int maxBytes) {
    RequestLimits.requireText(text, field, maxBytes);
    parse(text, field);
    return text;
  }

  /** Returns {@code text} when it is a JSON object of at most {@code maxBytes}; empty means {@code {}}. */
  public static String requireJsonObject(String text, String field, int maxBytes) {
    if (text == null || text.isEmpty()) {
      return "{}";
    }
    RequestLimits.optionalText(text, field, maxBytes);
    if (parse(text, field) != JsonToken.START_OBJECT) {
      throw RequestLimits.invalid(field + " must be a JSON object");
    }
    return text;
  }

  /** Reads the one JSON value in {@code text}, checking every name, string and number; returns its first token. */
  private static JsonToken parse(String text, String field) {
    if (text.charAt(0) == '\uFEFF') {
      throw RequestLimits.invalid(field + " must not start with a byte-order mark");
    }
    requireHexEscapes(text, field);
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw RequestLimits.invalid(field + " is not JSON");
      }
      for (JsonToken token = first; ; token = parser.nextToken()) {
        if (token == null) {
          throw RequestLimits.invalid(field + " is not valid JSON: it ends inside a value");
        }
        requireStorable(parser, token, field);
        if (parser.getParsingContext().inRoot()) {
          break; // the root value is complete
        }
      }
      if (parser.nextToken() != null) {
        throw RequestLimits.invalid(field + " must hold exactly one JSON value");
      }
      return first;
    } catch (JsonProcessingException e) {
      throw RequestLimits.invalid(field + " is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw RequestLimits.invalid(field + " is not valid JSON");
    }
  }

  /**
   * Every backslash-u escape is followed by four ASCII hexadecimal digits. Jackson reads an escape's
   * digits by their low byte only, so it takes a non-ASCII character for a digit, where PostgreSQL
   * refuses the value. A backslash stands in valid JSON only inside a string, where it starts an
   * escape; one anywhere else is left to the parser to refuse.
   */
  private static void requireHexEscapes(String text, String field) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) != '\\') {
        continue;
      }
      if (i + 1 < text.length() && text.charAt(i + 1) == 'u') {
        for (int digit = i + 2; digit < i + 6; digit++) {
          if (digit >= text.length() || !isAsciiHexDigit(text.charAt(digit))) {
            throw RequestLimits.invalid(field + " is not valid JSON: \\u must be followed by four hexadecimal digits");
          }
        }
        i += 5;
      } else {
        i++; // the escaped character, a backslash included
      }
    }
  }

  private static boolean isAsciiHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static void requireStorable(JsonParser parser, JsonToken token, String field) throws IOException {
    switch (token) {
      case FIELD_NAME, VALUE_STRING -> requireStorableText(parser.getText(), field);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> requireNumericRange(parser.getText(), field);
      default -> { }
    }
  }

  private static void requireStorableText(String text, String field) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw RequestLimits.invalid(field + " must not contain the NUL character (\\u0000)");
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw RequestLimits.invalid(field + " contains an unpaired UTF-16 surrogate (\\u"
            + Integer.toHexString(c) + " without its pair)");
      }
    }
  }

  private static void requireNumericRange(String number, String field) {
    boolean inRange;
    try {
      BigDecimal value = new BigDecimal(number);
      inRange = value.scale() <= MAX_FRACTION_DIGITS
          && (long) value.precision() - value.scale() <= MAX_INTEGER_DIGITS;
    } catch (NumberFormatException exponentBeyondInt) {
      inRange = false;
    }
    if (!inRange) {
      throw RequestLimits.invalid(field + " has a number beyond what PostgreSQL can store (at most "
          + MAX_INTEGER_DIGITS + " digits before and " + MAX_FRACTION_DIGITS + " after the decimal point): "
          + (number.length() <= 40 ? number : number.substring(0, 40) + "..."));
    }
  }
}

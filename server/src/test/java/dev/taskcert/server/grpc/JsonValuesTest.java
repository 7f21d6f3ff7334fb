package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.refusal.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonValuesTest {
  private static final int LIMIT = 64 * 1024;

  private static String refusal(String json) {
    Refusal e =
        assertThrows(Refusal.class, () -> JsonValues.requireJson(json, "value_json", LIMIT));
    assertEquals(Refusal.Kind.INVALID_REQUEST, e.kind());
    assertTrue(e.getMessage().startsWith("value_json "), e.getMessage());
    return e.getMessage();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{\"\\udfff\": 1}"})
  void refusesUnpairedSurrogateEscapesThatJsonbCannotStore(String json) {
    assertTrue(refusal(json).contains("unpaired UTF-16 surrogate"));
  }

  @Test
  void acceptsSurrogatePairEscapes() {
    assertEquals("\"\\ud83d\\ude00\"", JsonValues.requireJson("\"\\ud83d\\ude00\"", "value_json", LIMIT));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"\\u0000\"", "{\"k\\u0000\": 1}"})
  void refusesNulEscapesInStringsAndNames(String json) {
    assertTrue(refusal(json).contains("NUL"));
  }

  /** Jackson reads an escape's digits by their low byte: U+0763 would pass for 'c'. PostgreSQL refuses it. */
  @ParameterizedTest
  @ValueSource(strings = {"\"\\u002\u0763\"", "{\"\\u00\u0663\u0661\": 1}", "\"\\u12\""})
  void refusesEscapesWithoutFourAsciiHexDigits(String json) {
    assertTrue(refusal(json).contains("four hexadecimal digits"), refusal(json));
  }

  @Test
  void acceptsEscapesOfEitherCase() {
    assertEquals("\"\\u00E9\\u00e9\"", JsonValues.requireJson("\"\\u00E9\\u00e9\"", "value_json", LIMIT));
  }

  @Test
  void acceptsAnEscapedBackslashFollowedByU0000AsText() {
    String json = "\"\\\\u0000\"";
    assertEquals(json, JsonValues.requireJson(json, "value_json", LIMIT));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e999999", "1e131072", "1e2147483648", "1.5e-16383", "1e-16384", "[0e-20000]"})
  void refusesNumbersBeyondPostgresNumeric(String json) {
    assertTrue(refusal(json).contains("beyond what PostgreSQL can store"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e131071", "1e-16383", "-0.5", "1.7976931348623157e308"})
  void acceptsNumbersWithinPostgresNumeric(String json) {
    assertEquals(json, JsonValues.requireJson(json, "value_json", LIMIT));
  }

  @Test
  void refusesALeadingByteOrderMark() {
    assertTrue(refusal("\uFEFF{}").contains("byte-order mark"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1 2", "{} []", "{\"a\": 1", "", "[1,]", "NaN", "'x'"})
  void refusesAnythingButExactlyOneStrictJsonValue(String json) {
    refusal(json);
  }

  @Test
  void requiresAnObjectWhereOneIsExpectedAndReadsEmptyAsEmptyObject() {
    assertEquals("{}", JsonValues.requireJsonObject("", "fields_json", LIMIT));
    Refusal e = assertThrows(Refusal.class,
        () -> JsonValues.requireJsonObject("[1]", "fields_json", LIMIT));
    assertEquals("fields_json must be a JSON object", e.getMessage());
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    String deep = "[".repeat(JsonValues.MAX_DEPTH + 1) + "]".repeat(JsonValues.MAX_DEPTH + 1);
    refusal(deep);
    String allowed = "[".repeat(JsonValues.MAX_DEPTH) + "]".repeat(JsonValues.MAX_DEPTH);
    assertEquals(allowed, JsonValues.requireJson(allowed, "value_json", LIMIT));
  }
}

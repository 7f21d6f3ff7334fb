package dev.taskcert.server.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * Validation of JSON text in requests (XCom values, trigger arguments, rendered fields): size
 * bounded, nesting bounded, strictly one JSON value, and no NUL characters (PostgreSQL {@code jsonb}
 * refuses {@code \u0000}). Violations are INVALID_ARGUMENT.
 */
public final class JsonValues {
  /** Deepest nesting accepted. */
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build())
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
    if (!parse(text, field).isObject()) {
      throw RequestLimits.invalid(field + " must be a JSON object");
    }
    return text;
  }

  private static JsonNode parse(String text, String field) {
    if (text.contains("\\u0000")) {
      throw RequestLimits.invalid(field + " must not contain the NUL character");
    }
    try {
      JsonNode node = MAPPER.readTree(text.getBytes(StandardCharsets.UTF_8));
      if (node == null || node.isMissingNode()) {
        throw RequestLimits.invalid(field + " is not JSON");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw RequestLimits.invalid(field + " is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw RequestLimits.invalid(field + " is not valid JSON");
    }
  }
}

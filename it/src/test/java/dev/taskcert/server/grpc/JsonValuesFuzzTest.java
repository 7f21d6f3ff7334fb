package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.taskcert.dev.EmbeddedDatabase;
import dev.taskcert.server.refusal.Refusal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link JsonValues} against the database that stores what it accepts: every XCom value,
 * trigger argument, rendered field, run conf and connection extra goes into a PostgreSQL
 * {@code jsonb} column, so any text {@link JsonValues#requireJson} or {@link
 * JsonValues#requireJsonObject} accepts must also be accepted by {@code cast(? as jsonb)} on a real
 * PostgreSQL (and be an object where an object is required). Otherwise a client's bad value would
 * surface as INTERNAL from the insert instead of INVALID_ARGUMENT from validation. Refusals must be
 * INVALID_ARGUMENT.
 */
class JsonValuesFuzzTest {
  private static final int LIMIT = 256 * 1024;

  private static Path directory;
  private static EmbeddedDatabase database;
  private static Connection connection;

  @BeforeAll
  static void startPostgres() throws Exception {
    directory = Files.createTempDirectory("taskcert-json-fuzz");
    database = EmbeddedDatabase.start(directory.resolve("pg"));
    connection = DriverManager.getConnection(database.jdbcUrl());
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    connection.close();
    database.close();
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @MethodSource("documents")
  @FuzzTest
  void whateverJsonValuesAcceptsPostgresJsonbAccepts(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    String value = acceptedOrNull(() -> JsonValues.requireJson(text, "value_json", LIMIT));
    if (value != null) {
      assertEquals(text, value);
      jsonbTypeOf(value);
    }
    String object = acceptedOrNull(() -> JsonValues.requireJsonObject(text, "fields_json", LIMIT));
    if (object != null) {
      assertEquals("object", jsonbTypeOf(object), "requireJsonObject accepted a non-object: " + text);
    }
  }

  /**
   * The other side of the property: every seed is valid JSON that both validation and PostgreSQL
   * accept, and the object seeds pass as objects, so a validator refusing everything fails here.
   */
  @Test
  void acceptsEverySeedAndEveryObjectSeedAsAnObject() {
    List<String> seeds = documents().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
    for (String seed : seeds) {
      assertEquals(seed, JsonValues.requireJson(seed, "value_json", LIMIT));
      String type = jsonbTypeOf(seed);
      if (type.equals("object")) {
        assertEquals(seed, JsonValues.requireJsonObject(seed, "fields_json", LIMIT));
      }
    }
    assertEquals(4, seeds.stream().filter(seed -> jsonbTypeOf(seed).equals("object")).count());
  }

  /** The validated text, or null when validation refused it with INVALID_ARGUMENT. */
  private static String acceptedOrNull(Supplier<String> validation) {
    try {
      return validation.get();
    } catch (Refusal refused) {
      assertEquals(Refusal.Kind.INVALID_REQUEST, refused.kind(), refused.getMessage());
      return null;
    }
  }

  /** PostgreSQL's {@code jsonb_typeof} of the text; fails the test if {@code jsonb} refuses it. */
  private static String jsonbTypeOf(String json) {
    try (PreparedStatement statement = connection.prepareStatement("select jsonb_typeof(cast(? as jsonb))")) {
      statement.setString(1, json);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    } catch (SQLException refused) {
      return fail("JsonValues accepted what PostgreSQL jsonb refuses (" + refused.getMessage() + "): "
          + abbreviate(json));
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "... (" + text.length() + " characters)";
  }

  /** Documents of every JSON type, escapes, deep nesting and extreme numbers, to start from. */
  static Stream<byte[]> documents() {
    return Stream.of(
            "{\"rows\": 42, \"name\": \"events\", \"tags\": [\"a\", \"b\"], \"ok\": true, \"none\": null}",
            "[1, -2.5, 3e10, 4E-7, 0]",
            "\"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\\"\\\\ /\"",
            "{\"a\": {\"b\": {\"c\": [[[{}]]]}}}",
            "1.7976931348623157e308",
            "-0.000000000000000000001",
            "  {\"padded\" : \"value\"}  ",
            "\"\u00e9\u4e2d\ud83d\ude00\"",
            "{\"k\": 1, \"k\": 2}",
            "\"\\\\u0000 is text, not NUL\"")
        .map(text -> text.getBytes(StandardCharsets.UTF_8));
  }
}

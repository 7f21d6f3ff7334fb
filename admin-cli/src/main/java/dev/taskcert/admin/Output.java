package dev.taskcert.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.taskcert.text.LogText;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a command shows its result: for people, {@code key: value} lines or a table with aligned
 * columns; for scripts ({@code --json}), the server's answer as one JSON object per line (or what a
 * call stored, when its answer is empty). Text the
 * server holds (audit details, ids a task sent) is escaped for people, so a line break in it can
 * neither end a row nor forge one.
 */
final class Output {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace()
      .alwaysPrintFieldsWithNoPresence();

  private final PrintWriter out;
  private final boolean json;

  Output(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  /** One result: {@code answer} as JSON, or {@code fields} as aligned {@code key: value} lines. */
  void record(MessageOrBuilder answer, Map<String, String> fields) {
    if (json) {
      out.println(toJson(answer));
      return;
    }
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach((key, value) -> out.println(pad(key + ":", width + 1) + " " + LogText.escape(value)));
  }

  /**
   * The result of a call whose answer is empty because it stores what it was sent: as JSON, the
   * request as the API names its fields, each of {@code withheld} (secret fields, by their proto
   * names) replaced by {@code <field>Set}, whether it was given; for people, {@code fields}.
   */
  void stored(Message request, Map<String, String> fields, String... withheld) {
    if (!json) {
      record(request, fields);
      return;
    }
    try {
      ObjectNode node = (ObjectNode) MAPPER.readTree(toJson(request));
      for (String name : withheld) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName(name);
        node.remove(field.getJsonName());
        node.put(field.getJsonName() + "Set", !request.getField(field).equals(field.getDefaultValue()));
      }
      out.println(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print the request as JSON", e);
    }
  }

  /** Fields in the order given, for {@link #record}. */
  static Map<String, String> fields(String... keysAndValues) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      fields.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return fields;
  }

  /** Many results: each as a JSON line, or all as a table under {@code headers}. */
  <T extends MessageOrBuilder> void table(List<T> answers, List<String> headers,
      java.util.function.Function<T, List<String>> row) {
    if (json) {
      answers.forEach(answer -> out.println(toJson(answer)));
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(headers);
    answers.forEach(answer -> rows.add(row.apply(answer).stream().map(LogText::escape).toList()));
    int[] widths = new int[headers.size()];
    for (List<String> cells : rows) {
      for (int i = 0; i < cells.size(); i++) {
        widths[i] = Math.max(widths[i], cells.get(i).length());
      }
    }
    for (List<String> cells : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        line.append(i == cells.size() - 1 ? cells.get(i) : pad(cells.get(i), widths[i]) + "  ");
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String toJson(MessageOrBuilder message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the answer as JSON", e);
    }
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }
}

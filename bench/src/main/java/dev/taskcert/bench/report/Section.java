package dev.taskcert.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark's results: a table (rows of named values, the same names in each row, in order)
 * and notes that say how it was measured.
 *
 * @param id stable identifier in the JSON
 * @param title heading in the Markdown
 * @param description what was measured and against what
 * @param rows the measurements
 * @param notes remarks about this run
 */
public record Section(String id, String title, String description, List<Map<String, Object>> rows, List<String> notes) {
  /** An empty section to fill. */
  public Section(String id, String title, String description) {
    this(id, title, description, new ArrayList<>(), new ArrayList<>());
  }

  /** Adds a row; {@code keysAndValues} alternates column names and values. */
  public Section row(Object... keysAndValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      row.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    rows.add(row);
    return this;
  }

  /** Adds a note. */
  public Section note(String note) {
    notes.add(note);
    return this;
  }
}

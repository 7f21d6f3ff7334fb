package dev.taskcert.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regenerating the report keeps the part other measurements wrote below the marker. */
class ReportWriterTest {
  @Test
  void renderKeepsThePartFromTheMarkerOn(@TempDir Path directory) throws Exception {
    Path committed = locate("docs/" + ReportWriter.JSON);
    Files.copy(committed, directory.resolve(ReportWriter.JSON));
    String kept = ReportWriter.KEPT_PART_MARKER + "\n\n## The Python client next to the Java client\n\n| a | b |\n";
    Files.writeString(directory.resolve(ReportWriter.MARKDOWN), "stale report\n\n" + kept, StandardCharsets.UTF_8);

    ReportWriter.render(directory);

    String markdown = Files.readString(directory.resolve(ReportWriter.MARKDOWN), StandardCharsets.UTF_8);
    assertTrue(markdown.startsWith("# Benchmarks: "), "the report is regenerated");
    assertTrue(markdown.endsWith("\n" + kept), "the kept part follows it unchanged");
    assertEquals(1, markdown.split(ReportWriter.KEPT_PART_MARKER, -1).length - 1);
    assertFalse(markdown.contains("stale report"));
  }

  private static Path locate(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}

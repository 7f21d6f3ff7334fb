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

  @Test
  void theReportSaysWhichRunTheAnalysisIsAbout(@TempDir Path directory) throws Exception {
    Files.copy(locate("docs/" + ReportWriter.JSON), directory.resolve(ReportWriter.JSON));
    ReportWriter.render(directory);
    assertTrue(read(directory).contains("No analysis has been written for these results yet."));

    Files.writeString(directory.resolve(ReportWriter.ANALYSIS), "# x\n\n<!-- analysed run: 2000-01-01T00:00:00Z -->\n");
    ReportWriter.render(directory);
    assertTrue(read(directory).contains("about the run started 2000-01-01T00:00:00Z, not this one"),
        "an analysis of another run is marked as such");

    String thisRun = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(directory.resolve(ReportWriter.JSON).toFile()).path("generatedAt").asText();
    Files.writeString(directory.resolve(ReportWriter.ANALYSIS), "# x\n\n<!-- analysed run: " + thisRun + " -->\n");
    ReportWriter.render(directory);
    String markdown = read(directory);
    assertTrue(markdown.contains("Written by hand about this run"));
    assertFalse(markdown.contains("not this one"));
  }

  @Test
  void theCommittedAnalysisIsAboutTheCommittedRun() throws Exception {
    Path docs = locate("docs/" + ReportWriter.JSON).getParent();
    String committedRun = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(docs.resolve(ReportWriter.JSON).toFile()).path("generatedAt").asText();
    assertEquals(java.util.Optional.of(committedRun), ReportWriter.analysedRun(docs),
        "docs/" + ReportWriter.ANALYSIS + " must be rewritten for the committed run");
  }

  private static String read(Path directory) throws Exception {
    return Files.readString(directory.resolve(ReportWriter.MARKDOWN), StandardCharsets.UTF_8);
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

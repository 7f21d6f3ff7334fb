package dev.taskcert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskcert.bench.report.BenchReport;
import dev.taskcert.bench.report.ReportWriter;
import dev.taskcert.bench.report.Section;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark harness compiling and runnable: the whole suite in {@code smoke} mode (every
 * benchmark for a fraction of a second, a handful of supervisors), then the report files. Asserts
 * only that everything ran and was reported, never how fast.
 */
class BenchSuiteSmokeTest {
  static {
    System.setProperty("logback.configurationFile", "taskcert-bench-logback.xml");
  }

  @TempDir
  Path output;

  @Test
  void everyBenchmarkRunsAndIsReported() throws Exception {
    BenchReport report = BenchSuite.run(SuiteSettings.named("smoke"), output);

    assertEquals(9, report.sections().size(), "sections: " + report.sections().stream().map(Section::id).toList());
    for (Section section : report.sections()) {
      assertFalse(section.rows().isEmpty(), section.id() + " has no rows");
    }
    assertEquals(11, report.targets().size(), "targets: " + report.targets());
    Section scale = report.sections().stream().filter(s -> s.id().equals("scale")).findFirst().orElseThrow();
    assertEquals(6L, scale.rows().get(0).get("value"), "every supervisor connected and started");

    String markdown = Files.readString(output.resolve(ReportWriter.MARKDOWN));
    assertTrue(markdown.contains("## Targets"));
    assertTrue(markdown.contains("## Machine"));
    JsonNode json = new ObjectMapper().readTree(output.resolve(ReportWriter.JSON).toFile());
    assertEquals("smoke", json.path("mode").asText());
    assertEquals(9, json.path("sections").size());
    assertTrue(json.path("machine").path("cores").asInt() > 0);
  }
}

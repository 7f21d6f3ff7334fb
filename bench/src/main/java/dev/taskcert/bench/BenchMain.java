package dev.taskcert.bench;

import dev.taskcert.bench.report.ReportWriter;
import java.nio.file.Path;
import java.util.Set;

/**
 * Runs the benchmark suite: {@code quick} (the committed report, a few minutes on two cores),
 * {@code full} (longer points) or {@code smoke} (seconds; proves the harness works); or
 * {@code render}, which measures nothing and rewrites the Markdown from the JSON already there. Writes
 * {@code benchmarks.md} and {@code benchmarks.json} into {@code --output DIR} (default: the
 * {@code taskcert.bench.output} system property, else {@code docs}); {@code --only a,b} runs only
 * the named parts ({@code micro, percall, cache, handshake, enroll, scale}). Everything runs on
 * loopback and stops by itself.
 */
public final class BenchMain {
  private BenchMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "taskcert-bench-logback.xml");
    }
    String mode = "quick";
    Path output = Path.of(System.getProperty("taskcert.bench.output", "docs"));
    Set<String> parts = BenchSuite.PARTS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--output" -> output = Path.of(args[++i]);
        case "--only" -> {
          parts = Set.of(args[++i].split(","));
          if (!BenchSuite.PARTS.containsAll(parts)) {
            throw new IllegalArgumentException("--only takes some of " + BenchSuite.PARTS + ", got " + parts);
          }
        }
        case "--help", "-h" -> {
          System.out.println("usage: bench [quick|full|smoke|render] [--output DIR] [--only micro,percall,cache,"
              + "handshake,enroll,scale]");
          return;
        }
        default -> mode = args[i];
      }
    }
    Path directory = output.toAbsolutePath().normalize();
    if (mode.equals("render")) {
      ReportWriter.render(directory);
      return;
    }
    BenchSuite.run(SuiteSettings.named(mode), directory, parts);
  }
}

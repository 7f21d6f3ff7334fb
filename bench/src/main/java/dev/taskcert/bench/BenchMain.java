package dev.taskcert.bench;

import java.nio.file.Path;

/**
 * Runs the benchmark suite: {@code quick} (the committed report, a few minutes on two cores),
 * {@code full} (longer points) or {@code smoke} (seconds; proves the harness works). Writes
 * {@code benchmarks.md} and {@code benchmarks.json} into {@code --output DIR} (default: the
 * {@code taskcert.bench.output} system property, else {@code docs}). Everything runs on loopback
 * and stops by itself.
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
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--output" -> output = Path.of(args[++i]);
        case "--help", "-h" -> {
          System.out.println("usage: bench [quick|full|smoke] [--output DIR]");
          return;
        }
        default -> mode = args[i];
      }
    }
    BenchSuite.run(SuiteSettings.named(mode), output.toAbsolutePath().normalize());
  }
}

package dev.taskcert.bench;

import dev.taskcert.bench.cache.CacheAndXComBenchmark;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.environment.ProcessStats;
import dev.taskcert.bench.environment.RunningTask;
import dev.taskcert.bench.handshake.HandshakeBenchmark;
import dev.taskcert.bench.handshake.ServerHandshakeBenchmark;
import dev.taskcert.bench.issuance.EnrollmentBenchmark;
import dev.taskcert.bench.issuance.MicroBenchmarks;
import dev.taskcert.bench.percall.PerCallAuthBenchmark;
import dev.taskcert.bench.report.BenchReport;
import dev.taskcert.bench.report.MachineInfo;
import dev.taskcert.bench.report.ReportWriter;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import dev.taskcert.bench.scale.ScaleBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every benchmark once, in an order that keeps unrelated work apart (the micro-benchmarks
 * before the server starts; the scale test last), and writes the report.
 */
public final class BenchSuite {
  private static final Logger log = LoggerFactory.getLogger(BenchSuite.class);

  /** The README command that regenerates the committed report. */
  public static final String COMMAND =
      "./mvnw -q -pl bench -am -DskipTests package exec:java@bench -Dexec.args=\"quick\"";

  private BenchSuite() {}

  /** The benchmarks {@code --only} can name. */
  public static final Set<String> PARTS = Set.of("micro", "percall", "cache", "handshake", "enroll", "scale");

  /** Runs the whole suite with {@code settings} and writes the report into {@code outputDirectory}. */
  public static BenchReport run(SuiteSettings settings, Path outputDirectory) throws Exception {
    return run(settings, outputDirectory, PARTS);
  }

  /**
   * Runs the named parts of the suite (see {@link #PARTS}; {@code scale} implies {@code enroll})
   * and writes the report into {@code outputDirectory}.
   */
  public static BenchReport run(SuiteSettings settings, Path outputDirectory, Set<String> parts) throws Exception {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long start = System.nanoTime();
    MachineInfo machine = MachineInfo.read(ProcessStats.openFileLimit());
    log.info("taskcert benchmarks, mode {}: {} x {}, load average {}", settings.mode(), machine.cores(),
        machine.cpuModel(), machine.loadAverageAtStart());
    List<Section> sections = new ArrayList<>();
    List<TargetCheck> targets = new ArrayList<>();
    Map<String, String> database = new LinkedHashMap<>();

    if (parts.contains("micro")) {
      log.info("[1/6] micro-benchmarks (JMH)");
      Section micro = MicroBenchmarks.run(settings, targets);
      sections.add(micro);
      sections.add(MicroBenchmarks.providers(micro));
    }
    try (BenchEnvironment environment = BenchEnvironment.start()) {
      for (String setting : List.of("server_version", "synchronous_commit", "fsync", "shared_buffers",
          "max_connections")) {
        database.put(setting, environment.queryText("show " + setting));
      }
      database.put("server connection pool", Integer.toString(environment.config().database().maxPoolSize()));
      if (parts.contains("percall") || parts.contains("cache")) {
        List<RunningTask> tasks = RunningTask.start(environment, "percall_probe", settings.maxConcurrency());
        try {
          if (parts.contains("percall")) {
            log.info("[2/6] per-call authentication");
            sections.add(PerCallAuthBenchmark.run(environment, tasks, settings, targets));
          }
          if (parts.contains("cache")) {
            log.info("[3/6] authorization cache and XCom writes");
            sections.add(CacheAndXComBenchmark.cache(environment, tasks, settings, targets));
            sections.add(CacheAndXComBenchmark.xcom(environment, tasks, settings, targets));
          }
        } finally {
          tasks.forEach(RunningTask::close);
        }
      }
      if (parts.contains("handshake")) {
        log.info("[4/6] handshakes");
        sections.add(HandshakeBenchmark.run(environment, settings, targets));
        sections.add(ServerHandshakeBenchmark.run(environment, settings, targets));
      }
      if (parts.contains("enroll") || parts.contains("scale")) {
        log.info("[5/6] enrollment");
        Section enrollment = new Section("enrollment", "3b. Enrollment end to end",
            "Enroll through the real server's enrollment port: the token looked up before the CSR is decoded, "
                + "the CSR verified and the certificate signed (EC P-256 intermediate, the signature provider in "
                + "force), then one statement that consumes the token, locks and re-checks the try and writes the "
                + "issuance and audit rows; response returned.");
        Path credentials = EnrollmentBenchmark.run(environment, settings, enrollment, targets);
        sections.add(enrollment);
        if (parts.contains("scale")) {
          log.info("[6/6] {} concurrent supervisors", settings.scaleSupervisors());
          sections.add(ScaleBenchmark.run(environment, credentials, settings, targets));
        } else {
          Files.deleteIfExists(credentials);
        }
      }
    }
    sections.sort(Comparator.comparing(Section::title));
    BenchReport report = new BenchReport(started.toString(), settings.mode(),
        COMMAND.replace("\"quick\"", "\"" + settings.mode() + "\""), (System.nanoTime() - start) / 1e9,
        machine.finished(), database, targets, sections);
    ReportWriter.write(report, outputDirectory);
    log.info("wrote {} and {} in {}", ReportWriter.MARKDOWN, ReportWriter.JSON, outputDirectory);
    for (TargetCheck target : targets) {
      log.info("{}: {} -> {}", target.met() ? "MET   " : "MISSED", target.target(), target.measured());
    }
    return report;
  }
}

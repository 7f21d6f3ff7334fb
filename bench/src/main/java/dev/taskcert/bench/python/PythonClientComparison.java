package dev.taskcert.bench.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.report.MachineInfo;
import dev.taskcert.bench.report.ReportWriter;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.ExecutionClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Authorized {@code GetVariable} calls per second through the Python client ({@code taskcert}
 * package) and through the Java supervisor library, side by side against the same server in the
 * same run: for each number of callers, one session (one mutual-TLS connection) of each client with
 * that many threads calling in a closed loop, Java and Python alternately, each after a warmup.
 *
 * <p>Usage: {@code --python PATH} (an interpreter that imports the installed {@code taskcert}),
 * {@code --script PATH} ({@code clients/python/bench/get_variable_rate.py}), optional
 * {@code --callers 1,16}, {@code --seconds 10}, {@code --warmup 3}, {@code --output DIR} (default
 * {@code docs}): rewrites the part of {@code benchmarks.md} from {@link ReportWriter#KEPT_PART_MARKER} on.
 */
public final class PythonClientComparison {
  private PythonClientComparison() {}

  /** One measured point. */
  record Point(String client, int callers, long calls, double seconds, long failures) {
    double rate() {
      return calls / seconds;
    }
  }

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "taskcert-bench-logback.xml");
    }
    String python = null;
    Path script = Path.of("clients/python/bench/get_variable_rate.py");
    List<Integer> callers = List.of(1, 16);
    double seconds = 10;
    double warmup = 3;
    Path output = Path.of(System.getProperty("taskcert.bench.output", "docs"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--python" -> python = args[++i];
        case "--script" -> script = Path.of(args[++i]);
        case "--callers" -> callers = List.of(args[++i].split(",")).stream().map(Integer::parseInt).toList();
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--output" -> output = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: --python PATH [--script PATH] [--callers 1,16] [--seconds 10] [--warmup 3] [--output DIR]");
      }
    }
    if (python == null) {
      throw new IllegalArgumentException("--python PATH is required: an interpreter with the taskcert wheel installed");
    }
    MachineInfo machine = MachineInfo.read(-1);
    Instant started = Instant.now();
    List<Point> points = new ArrayList<>();
    try (BenchEnvironment environment = BenchEnvironment.start()) {
      Path bundle = Files.createTempFile("taskcert-bench-bundle", ".pem");
      try {
        Files.writeString(bundle, Pem.certificates(environment.ca().current().bundle().roots()),
            StandardCharsets.US_ASCII);
        int round = 0;
        for (int count : callers) {
          List<QueuedTry> tries = environment.queueMapped("python_comparison_" + round++, 2, 2);
          points.add(java(environment, tries.get(0), count, warmup, seconds));
          points.add(python(environment, python, script.toAbsolutePath(), bundle, tries.get(1), count, warmup,
              seconds));
        }
      } finally {
        Files.deleteIfExists(bundle);
      }
    }
    String section = section(points, machine.finished(), started, seconds, warmup);
    System.out.print(section);
    writeSection(output.resolve(ReportWriter.MARKDOWN), section);
  }

  private static Point java(BenchEnvironment environment, QueuedTry queued, int callers, double warmup, double seconds)
      throws Exception {
    try (TaskSession session = TaskSession.open(environment.supervisorConfig(), queued.enrollmentToken(),
        new SecureRandom())) {
      ExecutionClient client = session.client();
      client.startTask("bench-worker", 20_000, "airflow");
      AtomicBoolean counting = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong calls = new AtomicLong();
      AtomicLong failures = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        loops.add(pool.submit(() -> {
          while (!stop.get()) {
            try {
              client.getVariable(BenchEnvironment.TEAM_VARIABLE);
            } catch (TaskcertException e) {
              failures.incrementAndGet();
              continue;
            }
            if (counting.get()) {
              calls.incrementAndGet();
            }
          }
        }));
      }
      Thread.sleep((long) (warmup * 1000));
      counting.set(true);
      long start = System.nanoTime();
      Thread.sleep((long) (seconds * 1000));
      long counted = calls.get();
      double elapsed = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      for (Future<?> loop : loops) {
        loop.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      return new Point("Java (`taskcert-supervisor` library)", callers, counted, elapsed, failures.get());
    }
  }

  private static Point python(BenchEnvironment environment, String python, Path script, Path bundle, QueuedTry queued,
      int callers, double warmup, double seconds) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(python, script.toString(),
        "--execution-target", environment.executionTarget(), "--enrollment-target", environment.enrollmentTarget(),
        "--trust-bundle", bundle.toString(), "--variable", BenchEnvironment.TEAM_VARIABLE,
        "--callers", Integer.toString(callers), "--warmup", Double.toString(warmup),
        "--seconds", Double.toString(seconds))
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    for (String proxy : List.of("http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "HTTP_PROXY", "HTTPS_PROXY",
        "ALL_PROXY")) {
      builder.environment().remove(proxy);
    }
    Process process = builder.start();
    process.getOutputStream().write((queued.enrollmentToken() + "\n").getBytes(StandardCharsets.US_ASCII));
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    long timeout = (long) (warmup + seconds) + 120;
    if (!process.waitFor(timeout, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("the Python client failed: " + out);
    }
    JsonNode result = new ObjectMapper().readTree(out.substring(out.lastIndexOf('\n') + 1));
    return new Point("Python (`taskcert` package)", callers, result.get("calls").asLong(),
        result.get("seconds").asDouble(), result.get("failures").asLong());
  }

  private static String section(List<Point> points, MachineInfo machine, Instant started, double seconds,
      double warmup) {
    StringBuilder out = new StringBuilder();
    out.append(ReportWriter.KEPT_PART_MARKER).append("\n\n");
    out.append("## The Python client next to the Java client\n\n");
    out.append(String.format(Locale.ROOT, "Measured side by side on %s, %d cores, load average %s at the start"
            + " and %s at the end, run started %s, by `PythonClientComparison` (bench module; see"
            + " [clients.md](clients.md#python-the-taskcert-package) for building the wheel):",
        machine.cpuModel(), machine.cores(), machine.loadAverageAtStart(), machine.loadAverageAtEnd(),
        started.truncatedTo(ChronoUnit.SECONDS)));
    out.append("\n\n```sh\n./mvnw -q -pl bench -am -DskipTests package exec:java@python-client \\\n"
        + "  -Dexec.args=\"--python /opt/taskcert/bin/python"
        + " --script clients/python/bench/get_variable_rate.py\"\n```\n\n");
    out.append(String.format(Locale.ROOT, "One server as `dev` mode starts it (embedded PostgreSQL, loopback). For each"
        + " number of callers, one session of each client (one key, one mutual-TLS connection, renewing as usual)"
        + " with that many threads calling `Variables/GetVariable` on the team's own variable in a closed loop,"
        + " every call authorized in full (certificate, live try, team); %.0f s of warmup, then %.0f s counted;"
        + " the Java client first, then the Python client, in the same run. The Java client runs in the server's"
        + " JVM, the Python client (CPython, grpcio's C core) in a process of its own; both share the machine's"
        + " cores with the server and PostgreSQL. Each row is one measurement on a machine that was also"
        + " busy with other work (the load average above): compare the rows of this run with each other,"
        + " not with other runs.%n%n", warmup, seconds));
    out.append("| client | callers | calls/s | calls | failed calls |\n|---|---|---|---|---|\n");
    for (Point point : points) {
      out.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %,d | %d |%n", point.client(), point.callers(),
          point.rate(), point.calls(), point.failures()));
    }
    out.append('\n');
    return out.toString();
  }

  private static void writeSection(Path file, String section) throws IOException {
    String report = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    int start = report.indexOf(ReportWriter.KEPT_PART_MARKER);
    String head = start < 0 ? report : report.substring(0, start);
    if (!head.isEmpty() && !head.endsWith("\n\n")) {
      head = head.endsWith("\n") ? head + "\n" : head + "\n\n";
    }
    Files.writeString(file, head + section, StandardCharsets.UTF_8);
  }
}

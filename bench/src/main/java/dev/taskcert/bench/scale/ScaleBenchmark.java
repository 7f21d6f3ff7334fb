package dev.taskcert.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.environment.CpuMeter;
import dev.taskcert.bench.environment.JvmClassPath;
import dev.taskcert.bench.environment.ProcessStats;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark 4: many concurrent supervisors, each with its own certificate and its own mutual-TLS
 * connection, held open against the real server in this process while they heartbeat. The
 * supervisors run in a second JVM ({@link ScaleSupervisors}) so each process needs one file
 * descriptor per connection, not two. Reports the server's heap after a full collection and its
 * resident memory with every connection open, the supervisor process's, and heartbeat latency.
 */
public final class ScaleBenchmark {
  private static final Logger log = LoggerFactory.getLogger(ScaleBenchmark.class);
  private static final long MIB = 1024 * 1024;
  /** File descriptors kept free for everything else a process opens (jars, database, sockets). */
  private static final int DESCRIPTOR_RESERVE = 512;

  private ScaleBenchmark() {}

  /** Runs the supervisor process with the credentials in {@code credentialFile} and adds the target check. */
  public static Section run(BenchEnvironment environment, Path credentialFile, SuiteSettings settings,
      List<TargetCheck> targets) throws Exception {
    Section section = new Section("scale", "4. Concurrent supervisors",
        "Each supervisor has its own certificate (from the Enroll batch above) and its own mutual-TLS "
            + "connection, opened with the supervisor library's ClientTls channel and kept open; each started "
            + "its try, then heartbeats once every " + settings.heartbeatInterval().toSeconds() + " s on average "
            + "(open loop, spread evenly; latency from the scheduled send time). The server runs in the "
            + "benchmark JVM, the supervisors in a second JVM on the same machine.");
    long lines;
    try (var stream = Files.lines(credentialFile)) {
      lines = stream.count() - 1;
    }
    long descriptorLimit = ProcessStats.openFileLimit();
    long serverCapacity = descriptorLimit - ProcessStats.openFiles() - DESCRIPTOR_RESERVE;
    int supervisors = (int) Math.min(lines, serverCapacity);
    String bound = supervisors < settings.scaleSupervisors()
        ? (supervisors < lines ? "the open-file limit (" + descriptorLimit + ")" : "enrollment failures")
        : "none (target reached)";
    if (supervisors < lines) {
      truncate(credentialFile, supervisors);
    }

    long heapBefore = ProcessStats.heapUsedAfterGc();
    long residentBefore = ProcessStats.residentBytes();
    long filesBefore = ProcessStats.openFiles();
    Process child = JvmClassPath.childJvm("taskcert-bench-supervisors.log", ScaleSupervisors.class,
        environmentTarget(environment), credentialFile.toString(),
        Long.toString(settings.heartbeatInterval().toMillis()), Long.toString(settings.heartbeatWarmup().toMillis()),
        Long.toString(settings.heartbeatMeasure().toMillis())).start();
    BlockingQueue<String> output = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
      output.add("EOF");
    }, "bench-scale-output");
    reader.setDaemon(true);
    reader.start();
    try (Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
      String[] ready = awaitLine(output, "READY", 15 * 60).split(" ");
      long connected = Long.parseLong(ready[1]);
      long startFailures = Long.parseLong(ready[2]);
      double connectSeconds = Double.parseDouble(ready[3]);
      double channelSeconds = Double.parseDouble(ready[4]);
      log.info("{} supervisors connected and started in {} s ({} s of it building their TLS contexts; {} failures)",
          connected, String.format(Locale.ROOT, "%.1f", connectSeconds),
          String.format(Locale.ROOT, "%.1f", channelSeconds), startFailures);
      long heapHeld = ProcessStats.heapUsedAfterGc();
      long residentHeld = ProcessStats.residentBytes();
      long filesHeld = ProcessStats.openFiles();

      toChild.write("GO\n");
      toChild.flush();
      CpuMeter cpu = CpuMeter.start(environment.databaseDirectory());
      double childCpuBefore = ProcessStats.cpuSeconds(child.pid());
      long gcBefore = ProcessStats.gcMillis();
      long peakHeap = 0;
      long peakResident = 0;
      String resultLine = null;
      long deadline = System.nanoTime() + settings.heartbeatWarmup().plus(settings.heartbeatMeasure()).toNanos()
          + TimeUnit.SECONDS.toNanos(120);
      while (resultLine == null && System.nanoTime() < deadline) {
        peakHeap = Math.max(peakHeap, ProcessStats.heapUsed());
        peakResident = Math.max(peakResident, ProcessStats.residentBytes());
        String line = output.poll(250, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith("RESULT ")) {
          resultLine = line;
        } else if ("EOF".equals(line)) {
          throw new IllegalStateException("the supervisor process ended early with " + child.waitFor());
        }
      }
      CpuMeter.Usage usage = cpu.stop();
      double childCores = (ProcessStats.cpuSeconds(child.pid()) - childCpuBefore) / usage.seconds();
      double gcShare = (ProcessStats.gcMillis() - gcBefore) / 1000.0 / usage.seconds();
      if (resultLine == null) {
        throw new IllegalStateException("the supervisor process reported no result in time");
      }
      JsonNode result = new ObjectMapper().readTree(resultLine.substring("RESULT ".length()));
      toChild.write("EXIT\n");
      toChild.flush();

      double p99 = result.path("p99_ms").asDouble();
      long errors = result.path("heartbeat_errors").asLong() + result.path("heartbeats_unanswered").asLong();
      section.row("quantity", "supervisors connected and started", "value", connected, "unit", "",
          "note", "target " + settings.scaleSupervisors() + "; limited by: " + bound);
      section.row("quantity", "StartTask failures", "value", startFailures, "unit", "", "note", "");
      section.row("quantity", "time to connect and start all", "value", connectSeconds, "unit", "s",
          "note", String.format(Locale.ROOT, "per supervisor: its client TLS context (%.1f s in all), then TLS "
              + "handshake + StartTask, 64 at a time", channelSeconds));
      section.row("quantity", "server heap after full GC, connections open", "value", heapHeld / (double) MIB,
          "unit", "MiB", "note", String.format(Locale.ROOT, "before the supervisors connected: %.1f MiB",
              heapBefore / (double) MIB));
      section.row("quantity", "server heap per connection", "value",
          connected == 0 ? 0 : (heapHeld - heapBefore) / 1024.0 / connected, "unit", "KiB", "note",
          "difference of the two heap figures / connections");
      section.row("quantity", "server heap in use, peak while heartbeating", "value", peakHeap / (double) MIB,
          "unit", "MiB", "note", "includes garbage not yet collected; max heap " + ProcessStats.heapMax() / MIB + " MiB");
      section.row("quantity", "server process RSS, connections open", "value", residentHeld / (double) MIB,
          "unit", "MiB", "note", String.format(Locale.ROOT, "before: %.1f MiB; peak while heartbeating %.1f MiB; "
              + "includes the load-generator code of this JVM, not PostgreSQL", residentBefore / (double) MIB,
              peakResident / (double) MIB));
      section.row("quantity", "server open files", "value", filesHeld, "unit", "", "note",
          "before: " + filesBefore + "; limit " + descriptorLimit);
      section.row("quantity", "supervisor process heap after full GC", "value",
          result.path("heap_after_gc_bytes").asLong() / (double) MIB, "unit", "MiB", "note",
          "all " + connected + " client channels in one JVM");
      section.row("quantity", "supervisor process RSS", "value", result.path("resident_bytes").asLong() / (double) MIB,
          "unit", "MiB", "note", "");
      section.row("quantity", "heartbeats offered", "value", result.path("heartbeats_per_s_offered").asDouble(),
          "unit", "per s", "note", result.path("heartbeats_measured").asLong() + " answered in the "
              + settings.heartbeatMeasure().toSeconds() + " s window after " + settings.heartbeatWarmup().toSeconds()
              + " s warmup");
      section.row("quantity", "heartbeat latency p50", "value", result.path("p50_ms").asDouble(), "unit", "ms",
          "note", "");
      section.row("quantity", "heartbeat latency p99", "value", p99, "unit", "ms", "note", "");
      section.row("quantity", "heartbeat latency p99.9 / max", "value", result.path("p999_ms").asDouble(),
          "unit", "ms", "note", String.format(Locale.ROOT, "max %.1f ms", result.path("max_ms").asDouble()));
      section.row("quantity", "heartbeat errors or unanswered", "value", errors, "unit", "", "note", "");
      section.row("quantity", "CPU while heartbeating", "value",
          usage.jvmCores() + usage.postgresCores() + childCores, "unit", "cores", "note",
          String.format(Locale.ROOT, "server JVM %.2f, PostgreSQL %.2f, supervisor process %.2f; the server JVM "
              + "spent %.1f %% of the time in garbage collection", usage.jvmCores(), usage.postgresCores(),
              childCores, 100 * gcShare));
      double offered = result.path("heartbeats_per_s_offered").asDouble(Double.NaN);
      double answered = result.path("heartbeats_measured").asLong() / (settings.heartbeatMeasure().toMillis() / 1000.0);
      double wanted = settings.scaleSupervisors() / (settings.heartbeatInterval().toMillis() / 1000.0);
      String target = String.format(Locale.ROOT, "%,d concurrent supervisors under 1 GiB heap sustaining %,.0f "
          + "heartbeats/s with p99 < 50 ms", settings.scaleSupervisors(), wanted);
      String note = String.format(Locale.ROOT, "%.0f heartbeats/s offered, %.0f/s answered; %d errors", offered,
          answered, errors);
      TargetCheck check = TargetCheck.measuredValue(p99) && TargetCheck.measuredValue(answered)
          ? new TargetCheck(target, String.format(Locale.ROOT,
              "%,d connected; server heap %.0f MiB after GC (peak %.0f MiB in use); p99 %.1f ms",
              connected, heapHeld / (double) MIB, peakHeap / (double) MIB, p99), p99 < 50, note)
              .and(connected >= settings.scaleSupervisors() && startFailures == 0, "not every supervisor started")
              .and(heapHeld < 1024 * MIB, "heap over 1 GiB")
              .and(errors == 0, "heartbeats failed or went unanswered")
              .and(answered >= 0.98 * wanted, "the answered rate fell short of the offered rate")
          : TargetCheck.notMeasured(target, note);
      targets.add(check);
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroy();
      }
    } finally {
      if (child.isAlive()) {
        child.destroy();
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      }
      Files.deleteIfExists(credentialFile);
    }
    return section;
  }

  private static String environmentTarget(BenchEnvironment environment) {
    return environment.executionTarget();
  }

  private static String awaitLine(BlockingQueue<String> output, String prefix, long timeoutSeconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      String line = output.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      if (line.startsWith(prefix + " ")) {
        return line;
      }
      if (line.equals("EOF")) {
        throw new IllegalStateException("the supervisor process ended before " + prefix);
      }
    }
    throw new IllegalStateException("the supervisor process did not report " + prefix + " in time");
  }

  private static void truncate(Path file, int supervisors) throws IOException {
    List<String> lines;
    try (var stream = Files.lines(file)) {
      lines = stream.limit(supervisors + 1L).toList();
    }
    Files.write(file, lines);
  }
}

package dev.taskcert.bench.report;

import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a run measured: CPU model and cores, memory, JDK, operating system, TLS library, and
 * the load average at start and end (a busy machine shows there).
 */
public record MachineInfo(
    String cpuModel,
    int cores,
    long memoryMiB,
    String jdk,
    String os,
    String tlsLibrary,
    String loadAverageAtStart,
    String loadAverageAtEnd,
    long openFileLimit) {

  /** Reads the facts now ({@code loadAverageAtEnd} is filled by {@link #finished}). */
  public static MachineInfo read(long openFileLimit) {
    return new MachineInfo(readCpuModel(), Runtime.getRuntime().availableProcessors(), readMemoryMiB(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
            + " (" + System.getProperty("java.vm.vendor") + ")",
        osName(), OpenSsl.isAvailable() ? "netty-tcnative " + OpenSsl.versionString() : "netty-tcnative unavailable",
        loadAverage(), "", openFileLimit);
  }

  /** The same facts with the load average at the end of the run. */
  public MachineInfo finished() {
    return new MachineInfo(cpuModel, cores, memoryMiB, jdk, os, tlsLibrary, loadAverageAtStart, loadAverage(),
        openFileLimit);
  }

  private static String readCpuModel() {
    return firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch"));
  }

  private static long readMemoryMiB() {
    return firstValue(Path.of("/proc/meminfo"), "MemTotal")
        .map(value -> Long.parseLong(value.replace("kB", "").trim()) / 1024)
        .orElse(-1L);
  }

  private static String osName() {
    String pretty = firstValue(Path.of("/etc/os-release"), "PRETTY_NAME").map(v -> v.replace("\"", "")).orElse("");
    return (pretty.isEmpty() ? "" : pretty + ", ") + System.getProperty("os.name") + " "
        + System.getProperty("os.version") + " " + System.getProperty("os.arch");
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static java.util.Optional<String> firstValue(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        int separator = line.indexOf(key.equals("PRETTY_NAME") ? '=' : ':');
        if (separator > 0 && line.substring(0, separator).trim().equals(key)) {
          return java.util.Optional.of(line.substring(separator + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.empty();
  }
}

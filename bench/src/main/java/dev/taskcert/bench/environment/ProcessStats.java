package dev.taskcert.bench.environment;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Memory and CPU facts about this process and others, read from {@code /proc} (Linux) and the
 * JVM's management beans. Values that cannot be read are reported as -1.
 */
public final class ProcessStats {
  private static final double CLOCK_TICKS_PER_SECOND = 100.0;

  private ProcessStats() {}

  /** Heap in use after asking for two full collections, in bytes. */
  public static long heapUsedAfterGc() {
    for (int i = 0; i < 2; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return heapUsed();
  }

  /** Heap in use now, in bytes. */
  public static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Milliseconds this JVM has spent in garbage collection (all collectors, pauses and concurrent work). */
  public static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(bean -> Math.max(0, bean.getCollectionTime())).sum();
  }

  /** The largest heap the JVM may use, in bytes. */
  public static long heapMax() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
  }

  /** Resident set size of this process ({@code VmRSS}), in bytes. */
  public static long residentBytes() {
    return statusField(Path.of("/proc/self/status"), "VmRSS:");
  }

  /** Resident set size of process {@code pid}, in bytes. */
  public static long residentBytes(long pid) {
    return statusField(Path.of("/proc/" + pid + "/status"), "VmRSS:");
  }

  /** The soft limit on open files of this process, or -1. */
  public static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
          return fields[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Open file descriptors of this process, or -1. */
  public static long openFiles() {
    try (var entries = Files.list(Path.of("/proc/self/fd"))) {
      return entries.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU seconds (user + system) this process has used. */
  public static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the command: state(0) ppid(1) ... utime(11) stime(12)
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU seconds used by this JVM. */
  public static double ownCpuSeconds() {
    return cpuSeconds(ProcessHandle.current().pid());
  }

  /** The PostgreSQL postmaster running on {@code dataDirectory} and all its backends. */
  public static List<Long> postgresProcesses(Path dataDirectory) {
    String needle = dataDirectory.toAbsolutePath().toString();
    Map<Long, Long> parents = new HashMap<>();
    Optional<Long> postmaster = Optional.empty();
    try (var entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        try {
          String stat = Files.readString(entry.resolve("stat"));
          parents.put(pid, Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]));
          String commandLine = new String(Files.readAllBytes(entry.resolve("cmdline"))).replace('\0', ' ');
          if (commandLine.contains("postgres") && commandLine.contains(needle)) {
            postmaster = Optional.of(pid);
          }
        } catch (IOException | RuntimeException ignored) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    List<Long> result = new ArrayList<>();
    postmaster.ifPresent(root -> {
      result.add(root);
      parents.forEach((pid, parent) -> {
        if (parent.equals(root)) {
          result.add(pid);
        }
      });
    });
    return result;
  }

  /** CPU seconds used so far by the given processes together. */
  public static double cpuSeconds(List<Long> pids) {
    return pids.stream().mapToDouble(ProcessStats::cpuSeconds).sum();
  }

  /** Resident set size of the given processes together, in bytes (shared pages counted in each). */
  public static long residentBytes(List<Long> pids) {
    return pids.stream().mapToLong(ProcessStats::residentBytes).filter(v -> v > 0).sum();
  }

  private static long statusField(Path status, String field) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}

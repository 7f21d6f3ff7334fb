package dev.taskcert.bench.environment;

import java.nio.file.Path;
import java.util.List;

/**
 * Measures how much CPU this JVM and the embedded PostgreSQL used over an interval, to show which
 * of them bounds a write-heavy load. Backends started during the interval are picked up at its
 * end (their CPU before the start is then counted too, which can only overstate PostgreSQL's share
 * by the little they did while connecting).
 */
public final class CpuMeter {
  /** CPU used over an interval. */
  public record Usage(double seconds, double jvmCpuSeconds, double postgresCpuSeconds) {
    /** {@code a} and {@code b} together ({@code a} may be {@code null}). */
    public static Usage sum(Usage a, Usage b) {
      return a == null ? b : new Usage(a.seconds() + b.seconds(), a.jvmCpuSeconds() + b.jvmCpuSeconds(),
          a.postgresCpuSeconds() + b.postgresCpuSeconds());
    }

    /** Cores kept busy by the JVM on average. */
    public double jvmCores() {
      return jvmCpuSeconds / seconds;
    }

    /** Cores kept busy by PostgreSQL on average. */
    public double postgresCores() {
      return postgresCpuSeconds / seconds;
    }
  }

  private final Path databaseDirectory;
  private final long start;
  private final double jvmStart;
  private final double postgresStart;

  private CpuMeter(Path databaseDirectory) {
    this.databaseDirectory = databaseDirectory;
    this.start = System.nanoTime();
    this.jvmStart = ProcessStats.ownCpuSeconds();
    this.postgresStart = ProcessStats.cpuSeconds(ProcessStats.postgresProcesses(databaseDirectory));
  }

  /** Starts measuring. */
  public static CpuMeter start(Path databaseDirectory) {
    return new CpuMeter(databaseDirectory);
  }

  /** The CPU used since {@link #start}. */
  public Usage stop() {
    List<Long> postgres = ProcessStats.postgresProcesses(databaseDirectory);
    return new Usage((System.nanoTime() - start) / 1e9, ProcessStats.ownCpuSeconds() - jvmStart,
        ProcessStats.cpuSeconds(postgres) - postgresStart);
  }
}

package dev.taskcert.bench;

import java.time.Duration;
import java.util.List;

/**
 * How long and how hard each benchmark runs. {@code quick} fits the whole suite in a few minutes
 * on two cores; {@code full} runs longer points; {@code smoke} only proves the harness works.
 *
 * @param mode the name of these settings
 * @param concurrencies concurrent callers of the per-call authentication points
 * @param warmup load before each measured point
 * @param measure length of each measured point (split into {@code rounds} interleaved windows)
 * @param rounds windows each measured point is split into, variants taking turns
 * @param latencyRuns times the point with the fewest callers is measured, to show the spread of its ratios
 * @param handshakeConcurrency connections handshaking at once
 * @param handshakeWarmup handshakes before each measured handshake point
 * @param handshakeMeasure length of each measured handshake point
 * @param jmhForks JVMs forked per micro-benchmark (0 runs them in this JVM)
 * @param jmhWarmupIterations micro-benchmark warmup iterations
 * @param jmhIterations micro-benchmark measured iterations
 * @param jmhIterationTime length of one micro-benchmark iteration
 * @param supervisorEnrollments enrollments through the whole supervisor flow (key, connection, Enroll)
 * @param enrollmentConcurrency enrollments in flight at once
 * @param enrollmentWarmup enrollments before the measured batch
 * @param scaleSupervisors concurrent supervisors (own certificate, own connection) to reach
 * @param heartbeatInterval how often each of them heartbeats
 * @param heartbeatWarmup heartbeats before the measured window
 * @param heartbeatMeasure measured heartbeat window
 * @param cacheConcurrencies callers of the warm/cold cache and XCom points
 */
public record SuiteSettings(
    String mode,
    List<Integer> concurrencies,
    Duration warmup,
    Duration measure,
    int rounds,
    int latencyRuns,
    int handshakeConcurrency,
    Duration handshakeWarmup,
    Duration handshakeMeasure,
    int jmhForks,
    int jmhWarmupIterations,
    int jmhIterations,
    Duration jmhIterationTime,
    int supervisorEnrollments,
    int enrollmentConcurrency,
    int enrollmentWarmup,
    int scaleSupervisors,
    Duration heartbeatInterval,
    Duration heartbeatWarmup,
    Duration heartbeatMeasure,
    List<Integer> cacheConcurrencies) {

  /** Settings by name: {@code quick}, {@code full} or {@code smoke}. */
  public static SuiteSettings named(String mode) {
    return switch (mode) {
      case "quick" -> new SuiteSettings("quick", List.of(1, 16, 64), seconds(1), seconds(3), 3, 5,
          16, seconds(1), seconds(3),
          1, 3, 3, seconds(1),
          300, 16, 6_000,
          10_000, seconds(5), seconds(5), seconds(20),
          List.of(16, 64));
      case "full" -> new SuiteSettings("full", List.of(1, 4, 16, 64, 128), seconds(3), seconds(15), 5, 5,
          16, seconds(3), seconds(10),
          2, 3, 5, seconds(2),
          1_000, 16, 10_000,
          10_000, seconds(5), seconds(10), seconds(60),
          List.of(1, 16, 64));
      case "smoke" -> new SuiteSettings("smoke", List.of(1, 2), Duration.ofMillis(100), Duration.ofMillis(200), 2, 2,
          2, Duration.ofMillis(100), Duration.ofMillis(200),
          0, 0, 1, Duration.ofMillis(100),
          3, 2, 2,
          6, seconds(1), Duration.ofMillis(200), Duration.ofMillis(500),
          List.of(2));
      default -> throw new IllegalArgumentException("unknown mode '" + mode + "': use quick, full or smoke");
    };
  }

  private static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  /** The most concurrent callers any per-call point uses. */
  public int maxConcurrency() {
    int max = concurrencies.stream().mapToInt(Integer::intValue).max().orElse(1);
    return Math.max(max, cacheConcurrencies.stream().mapToInt(Integer::intValue).max().orElse(1));
  }
}

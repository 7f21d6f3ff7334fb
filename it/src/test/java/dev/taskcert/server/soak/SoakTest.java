package dev.taskcert.server.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.config.TryLiveness;
import dev.taskcert.server.metrics.ServerMetrics;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.SupervisorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak: dozens of supervisors, each running a try of its own task with certificates that
 * live six seconds, call the server continuously with a mixed workload for minutes (two by
 * default; {@code -Dtaskcert.soak.duration=PT30M} for longer) while faults are injected into
 * random tries. Every call must succeed, or fail exactly as its try's fault explains; every
 * supervisor must keep renewing; and neither memory, threads, channels, connections nor the
 * server's caches may grow once warmed up. Progress lines go to standard output every ten seconds.
 */
class SoakTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void manySupervisorsRotatingAndCallingForMinutesFailNoCallAndDoNotGrowMemory() throws Exception {
    SoakSettings settings = SoakSettings.fromSystemProperties();
    System.out.println("soak settings: " + settings);
    // No post-terminal grace: the ledger expects every call of a try that finished to be refused at
    // once (the grace has its own tests, PostTerminalGraceTest).
    try (TestEnvironment env = new TestEnvironment(builder -> builder
        .issuance(new IssuancePolicy(settings.certificateLifetime(), Duration.ofSeconds(60)))
        .liveness(new TryLiveness(TryLiveness.DEFAULT_HEARTBEAT_TIMEOUT, Duration.ofSeconds(15), Duration.ofHours(24),
            Duration.ZERO))).started()) {
      SoakWorld world = new SoakWorld();
      world.seed(env.admin());
      SupervisorConfig defaults = env.supervisorConfig();
      SupervisorConfig config = new SupervisorConfig(defaults.executionTarget(), defaults.enrollmentTarget(),
          defaults.trustRoots(), Duration.ofSeconds(30), new SupervisorConfig.RenewalPolicy(
              settings.renewalFraction(), 0.05, Duration.ofMillis(200), Duration.ofSeconds(2)));

      SoakReport report = new SoakRun(settings, config, world, new FaultInjector(env::admin),
          new ResourceProbe(env.instance(ServerMetrics.class))).run();
      List<Growth> growth = growth(report, settings);
      summarize(report, growth);

      assertNoUnexplainedFailure(report);
      assertCallsAndFaultsHappened(report, settings);
      assertEverySupervisorRenewed(report, settings, env);
      assertBounded(report, settings);
      for (Growth resource : growth) {
        assertFalse(resource.grew(), "grew during the soak: " + resource);
      }
      ResourceSample after = report.afterClose();
      assertEquals(0, after.renewalThreads(), "renewal threads left after every session closed");
      assertTrue(after.clientChannels() <= report.beforeStart().clientChannels(),
          "client channels left after every session closed: " + after.describe());
      assertTrue(after.serverConnections() <= report.beforeStart().serverConnections(),
          "server connections left after every session closed: " + after.describe());
    }
  }

  private static void assertNoUnexplainedFailure(SoakReport report) {
    CallLedger ledger = report.ledger();
    assertEquals(0, ledger.unexplained(), () -> ledger.unexplained() + " calls or renewals failed (or answered "
        + "wrongly) with no injected fault to explain it; the first ones:\n  "
        + String.join("\n  ", ledger.firstUnexplained()));
  }

  private static void assertCallsAndFaultsHappened(SoakReport report, SoakSettings settings) {
    CallLedger ledger = report.ledger();
    // One successful call per supervisor and second is a twentieth of the rate the workers aim for.
    long floor = settings.supervisors() * report.elapsed().toSeconds();
    assertTrue(ledger.succeeded() >= floor, "only " + ledger.succeeded() + " calls succeeded; expected " + floor);
    for (Operation operation : Operation.values()) {
      assertTrue(ledger.succeeded(operation) > 0, "no " + operation + " succeeded");
    }
    for (Fault fault : Fault.values()) {
      assertTrue(report.faults().get(fault) >= 2, fault + " was injected " + report.faults().get(fault) + " times");
      assertTrue(ledger.refused(fault) > 0, "no call was refused after a try was " + fault);
    }
  }

  /**
   * A supervisor that ran for a whole number of certificate lifetimes renewed at least that many
   * times (or its certificate would have expired under it), and the server recorded every
   * certificate the supervisors received.
   */
  private static void assertEverySupervisorRenewed(SoakReport report, SoakSettings settings, TestEnvironment env)
      throws Exception {
    assertTrue(report.survivors().size() >= settings.supervisors() / 2,
        "only " + report.survivors().size() + " supervisors ran to the end without a fault");
    long lifetime = settings.certificateLifetime().toMillis();
    for (SoakReport.Survivor survivor : report.survivors()) {
      long needed = survivor.age().toMillis() / lifetime;
      assertTrue(survivor.renewals() >= needed,
          survivor.supervisor() + " ran " + survivor.age().toSeconds() + " s and renewed only " + survivor.renewals()
              + " times");
    }
    long issued = env.count("select count(*) from issued_certificate c join task_instance ti"
        + " on ti.id = c.task_instance_id where ti.task_id like 'soak\\_%'");
    assertTrue(issued >= report.enrollments() + report.renewals(), "the server recorded " + issued
        + " certificates; supervisors received " + (report.enrollments() + report.renewals()));
  }

  /**
   * Structures that must stay bounded by the number of supervisors at every sample: one renewal
   * thread per open session (plus one per worker, for a try being replaced); pooled threads no
   * more than twice the calls that can be in flight at once (one per worker and one renewal per
   * supervisor), the rest for the name lookups of new channels (idle threads end after a
   * minute); at most two channels and two server connections
   * per supervisor (the current one and the one retiring after a rotation), plus one per worker
   * and what was open before the soak; cached revocation answers for the serials seen within the
   * cache TTL of five seconds (a supervisor presents two or three; sixteen leaves room for
   * entries expired but not yet evicted, while a cache that never forgot would hold every serial
   * of the run, some forty per supervisor in two minutes); cached task instances, one per task.
   */
  private static void assertBounded(SoakReport report, SoakSettings settings) {
    int supervisors = settings.supervisors();
    ResourceSample before = report.beforeStart();
    check(report, "renewal threads", ResourceSample::renewalThreads,
        sample -> sample.renewalThreads() <= sample.sessions() + settings.workers());
    check(report, "pooled threads", ResourceSample::pooledThreads,
        sample -> sample.pooledThreads() <= 2 * supervisors + settings.workers());
    check(report, "client channels", ResourceSample::clientChannels,
        sample -> sample.clientChannels() <= 2 * supervisors + settings.workers() + before.clientChannels());
    check(report, "server connections", ResourceSample::serverConnections,
        sample -> sample.serverConnections() <= 2 * supervisors + settings.workers() + before.serverConnections());
    check(report, "revocation cache entries", ResourceSample::revocationEntries,
        sample -> sample.revocationEntries() <= 16L * supervisors);
    check(report, "task-instance cache entries", ResourceSample::taskInstanceEntries,
        sample -> sample.taskInstanceEntries() <= supervisors + 4);
  }

  private static void check(SoakReport report, String what, ToLongFunction<ResourceSample> value,
      Predicate<ResourceSample> bounded) {
    for (ResourceSample sample : report.samples()) {
      assertTrue(bounded.test(sample), what + " out of bounds at " + sample.at().toSeconds() + " s: "
          + value.applyAsLong(sample) + " (" + sample.describe() + ")");
    }
  }

  /**
   * Growth allowed between the end of warm-up and the end of the run, medians against medians.
   *
   * <p>Retained heap: 8 MiB or 10 %, whichever is more. Measured after full collections it moves
   * by well under 1 MiB from sample to sample once warmed up (bounded caches, pool bookkeeping,
   * objects awaiting finalization), while the two-minute run makes some 2,000 rotations and
   * 90,000 calls between the two windows: keeping 4 KiB per rotation, or 100 bytes per call,
   * already exceeds the bound, and a longer run only widens the gap.
   *
   * <p>Direct memory: 16 MiB or 25 %, because Netty pools it in chunks of several MiB. Threads other
   * than renewal threads and the shared pools (both bounded separately): 4 or 10 %, for the odd
   * short-lived helper thread of the connection pool, while a thread kept per replaced try
   * (dozens in two minutes) or per rotation (thousands) would exceed it. Loaded classes: 1 %, a
   * few late code paths, where generating a class per call or per rotation would add thousands.
   */
  private static List<Growth> growth(SoakReport report, SoakSettings settings) {
    List<ResourceSample> samples = report.samples();
    Duration warmUp = settings.warmUp();
    List<Growth> growth = new ArrayList<>();
    growth.add(Growth.of("retained heap", samples, warmUp, ResourceSample::retainedHeap,
        base -> Math.max(8 * MIB, base / 10), true));
    growth.add(Growth.of("direct memory", samples, warmUp, ResourceSample::directMemory,
        base -> Math.max(16 * MIB, base / 4), true));
    growth.add(Growth.of("other threads", samples, warmUp, ResourceSample::otherThreads,
        base -> Math.max(4, base / 10), false));
    growth.add(Growth.of("loaded classes", samples, warmUp, ResourceSample::loadedClasses,
        base -> base / 100, false));
    return growth;
  }

  private static void summarize(SoakReport report, List<Growth> growth) {
    CallLedger ledger = report.ledger();
    StringBuilder summary = new StringBuilder("soak summary after ").append(report.elapsed().toSeconds()).append(" s:");
    summary.append("\n  calls succeeded: ").append(ledger.succeeded());
    for (Operation operation : Operation.values()) {
      summary.append(' ').append(operation).append('=').append(ledger.succeeded(operation));
    }
    summary.append("\n  calls refused as injected faults explain: ").append(ledger.refused());
    for (Fault fault : Fault.values()) {
      summary.append(' ').append(fault).append('=').append(ledger.refused(fault))
          .append(" (").append(report.faults().get(fault)).append(" injected)");
    }
    summary.append("\n  unexplained failures: ").append(ledger.unexplained());
    summary.append("\n  enrollments: ").append(report.enrollments()).append(", renewals: ").append(report.renewals());
    IntSummary renewals = IntSummary.of(report.survivors().stream().mapToInt(SoakReport.Survivor::renewals).toArray());
    summary.append("\n  renewals per supervisor that ran to the end: ").append(renewals);
    for (Growth resource : growth) {
      summary.append("\n  ").append(resource);
    }
    summary.append("\n  before start: ").append(report.beforeStart().describe());
    summary.append("\n  after close:  ").append(report.afterClose().describe());
    System.out.println(summary);
  }

  /** Minimum, median and maximum of some counts. */
  private record IntSummary(int min, int median, int max) {
    static IntSummary of(int[] values) {
      int[] sorted = java.util.Arrays.stream(values).sorted().toArray();
      return sorted.length == 0 ? new IntSummary(0, 0, 0)
          : new IntSummary(sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }

    @Override
    public String toString() {
      return "min " + min + ", median " + median + ", max " + max;
    }
  }
}

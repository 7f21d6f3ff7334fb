package dev.taskcert.server.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.credentials.CredentialRotator;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Supervisors whose clocks are off from the server's by up to the backdating bound, in either
 * direction, still renew in time: they time renewals from the server's own issue time and their
 * monotonic elapsed time, never from their wall clock against the server's not-after. Lifetimes are
 * short here so that a renewal timed from a clock 50 s behind would come long after expiry.
 */
class SupervisorClockSkewTest {
  private static final Duration LIFETIME = Duration.ofSeconds(6);
  private static final Duration SKEW = Duration.ofSeconds(50);

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder
      .issuance(new IssuancePolicy(LIFETIME, Duration.ofSeconds(60))));

  @Test
  void supervisorsWithClocksBehindOrAheadWithinTheBackdatingBoundRenewInTime() throws Exception {
    List<TaskSession> sessions = new ArrayList<>();
    List<AtomicInteger> renewals = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try {
      for (Duration offset : List.of(SKEW.negated(), SKEW)) {
        TaskSession session = env.startedSession(DemoData.ANALYTICS,
            "skewed_" + (offset.isNegative() ? "behind" : "ahead"), Clock.offset(Clock.systemUTC(), offset));
        AtomicInteger renewed = new AtomicInteger();
        session.renewals().addListener(new CredentialRotator.Listener() {
          @Override
          public void onRenewed(TaskCredentials credentials) {
            renewed.incrementAndGet();
          }
        });
        sessions.add(session);
        renewals.add(renewed);
      }
      // Three lifetimes: without skew-proof timing the supervisor that is behind would not renew at all.
      long end = System.nanoTime() + LIFETIME.multipliedBy(3).toNanos();
      while (System.nanoTime() < end) {
        for (TaskSession session : sessions) {
          try {
            assertEquals("dev", session.client().getVariable(DemoData.GLOBAL_VARIABLE).value());
          } catch (RuntimeException e) {
            failures.add(session.credentials().spiffeId() + ": " + e);
          }
        }
        Thread.sleep(100);
      }
    } finally {
      sessions.forEach(TaskSession::close);
    }
    assertEquals(List.of(), failures);
    for (AtomicInteger renewed : renewals) {
      assertTrue(renewed.get() >= 2, "renewed only " + renewed.get() + " times in three lifetimes");
    }
  }
}

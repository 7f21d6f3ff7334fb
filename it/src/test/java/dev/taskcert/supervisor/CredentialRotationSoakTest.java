package dev.taskcert.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.client.TerminalState;
import dev.taskcert.supervisor.credentials.CredentialRotator;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import dev.taskcert.supervisor.heartbeat.HeartbeatLoop;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A try whose certificates live three seconds keeps calling the server for fifteen: every call
 * must succeed across every rotation, and each rotation must be a real new certificate.
 */
class CredentialRotationSoakTest {
  private static final Duration LIFETIME = Duration.ofSeconds(3);
  private static final Duration SOAK = Duration.ofSeconds(15);
  /** Upper bound on calls per reader thread, so the loop ends even on a very fast machine. */
  private static final int MAX_CALLS_PER_THREAD = 200_000;

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder.issuance(new IssuancePolicy(LIFETIME, Duration.ofSeconds(60))));


  @Test
  void callsNeverFailWhileCertificatesRotateEveryFewSeconds() throws Exception {
    String token = env.queue(DemoData.ANALYTICS).enrollmentToken();
    AtomicInteger renewals = new AtomicInteger();
    AtomicInteger renewalFailures = new AtomicInteger();
    AtomicInteger tryEnded = new AtomicInteger();
    Queue<String> serials = new ConcurrentLinkedQueue<>();
    Queue<Throwable> callFailures = new ConcurrentLinkedQueue<>();
    AtomicLong calls = new AtomicLong();

    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      String firstSerial = session.credentials().serialHex();
      String spiffeId = session.credentials().spiffeId();
      serials.add(firstSerial);
      session.renewals().addListener(new CredentialRotator.Listener() {
        @Override
        public void onRenewed(TaskCredentials credentials) {
          renewals.incrementAndGet();
          serials.add(credentials.serialHex());
        }

        @Override
        public void onRenewalFailed(TaskcertException error, Instant expiresAt) {
          renewalFailures.incrementAndGet();
        }

        @Override
        public void onTryEnded(TaskcertException error) {
          tryEnded.incrementAndGet();
        }
      });
      session.client().startTask("worker-1", 4242, "airflow");

      AtomicInteger heartbeatFailures = new AtomicInteger();
      AtomicInteger noLongerLive = new AtomicInteger();
      ExecutorService readers = Executors.newFixedThreadPool(2);
      try (HeartbeatLoop heartbeats = HeartbeatLoop.start(session.client(), "worker-1", 4242,
          Duration.ofMillis(500), new HeartbeatLoop.Listener() {
            @Override
            public void onTryNoLongerLive(TaskcertException reason) {
              noLongerLive.incrementAndGet();
            }

            @Override
            public void onHeartbeatFailed(TaskcertException error) {
              heartbeatFailures.incrementAndGet();
            }
          })) {
        long deadline = System.nanoTime() + SOAK.toNanos();
        List<String> keys = List.of(DemoData.ANALYTICS.ownVariable(), DemoData.GLOBAL_VARIABLE);
        List<Future<?>> workers = keys.stream().<Future<?>>map(key -> readers.submit(() -> {
          for (int i = 0; i < MAX_CALLS_PER_THREAD && System.nanoTime() < deadline; i++) {
            try {
              session.client().getVariable(key);
              calls.incrementAndGet();
            } catch (RuntimeException e) {
              callFailures.add(e);
            }
          }
        })).toList();
        for (Future<?> worker : workers) {
          worker.get(SOAK.toSeconds() + 60, TimeUnit.SECONDS);
        }
        assertFalse(heartbeats.tryEnded(), "the heartbeat loop ended the try");
      } finally {
        readers.shutdownNow();
      }

      assertEquals(List.of(), callFailures.stream().map(Throwable::toString).distinct().toList(),
          callFailures.size() + " of " + (calls.get() + callFailures.size()) + " calls failed");
      assertTrue(calls.get() > 0);
      assertEquals(0, heartbeatFailures.get(), "heartbeat failures");
      assertEquals(0, noLongerLive.get(), "heartbeats said the try is no longer live");
      assertEquals(0, renewalFailures.get(), "renewal failures");
      assertEquals(0, tryEnded.get(), "renewal stopped");
      assertTrue(renewals.get() >= 4, "only " + renewals.get() + " renewals");
      assertEquals(serials.size(), serials.stream().distinct().count(), "every renewal is a new certificate");
      assertNotEquals(firstSerial, session.credentials().serialHex());
      assertTrue(env.count("select count(*) from issued_certificate where spiffe_id = '" + spiffeId + "'") >= 5);

      session.client().finishTask(TerminalState.SUCCESS);
    }
  }
}

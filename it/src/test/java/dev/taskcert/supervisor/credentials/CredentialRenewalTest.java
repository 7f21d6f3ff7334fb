package dev.taskcert.supervisor.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.TerminalState;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a session's listeners hear when renewal can no longer succeed: the end of the try once it
 * finished, and each failed attempt, with the current certificate's expiry, when the server is
 * gone.
 */
class CredentialRenewalTest {
  private static final Duration LIFETIME = Duration.ofSeconds(3);
  /** Far longer than any renewal takes with a three-second lifetime; only reached on failure. */
  private static final long WAIT_SECONDS = 30;

  @RegisterExtension
  static final TestEnvironment env = shortLivedCertificates();

  private static TestEnvironment shortLivedCertificates() {
    return new TestEnvironment(builder -> builder.issuance(new IssuancePolicy(LIFETIME, Duration.ofSeconds(60))));
  }

  /** A failed renewal as the listener saw it. */
  private record Failure(TaskcertException error, Instant expiresAt, Instant seenAt, TaskCredentials inForce) {}

  @Test
  void renewalStopsAndReportsTheEndOnceTheTryFinished() throws Exception {
    String token = env.queue(DemoData.ANALYTICS).enrollmentToken();
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      CompletableFuture<TaskcertException> ended = new CompletableFuture<>();
      AtomicInteger endings = new AtomicInteger();
      AtomicInteger failures = new AtomicInteger();
      CountDownLatch anythingAfterTheEnd = new CountDownLatch(1);
      session.renewals().addListener(new CredentialRotator.Listener() {
        @Override
        public void onRenewed(TaskCredentials credentials) {
          if (ended.isDone()) {
            anythingAfterTheEnd.countDown();
          }
        }

        @Override
        public void onRenewalFailed(TaskcertException error, Instant expiresAt) {
          failures.incrementAndGet();
        }

        @Override
        public void onTryEnded(TaskcertException error) {
          endings.incrementAndGet();
          ended.complete(error);
        }
      });
      session.client().startTask("worker-1", 4242, "airflow");
      session.client().finishTask(TerminalState.SUCCESS);
      String spiffeId = session.credentials().spiffeId();

      TaskcertException reason = ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertInstanceOf(TaskcertException.TaskNotLive.class, reason);
      assertEquals(Status.Code.FAILED_PRECONDITION, reason.code());
      assertTrue(reason.getMessage().contains("SUCCESS"), reason.getMessage());

      long issued = env.count("select count(*) from issued_certificate where spiffe_id = '" + spiffeId + "'");
      // A whole certificate lifetime later nothing more was renewed or attempted.
      assertFalse(anythingAfterTheEnd.await(LIFETIME.toMillis(), TimeUnit.MILLISECONDS), "renewed after the end");
      assertEquals(issued, env.count("select count(*) from issued_certificate where spiffe_id = '" + spiffeId + "'"));
      assertEquals(1, endings.get());
      assertEquals(0, failures.get(), "the end of the try is not a transient failure");
    }
  }

  @Test
  void renewalStopsOnceTheCertificateIsRevoked() throws Exception {
    String token = env.queue(DemoData.PAYMENTS).enrollmentToken();
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), token, new SecureRandom())) {
      CompletableFuture<TaskcertException> ended = new CompletableFuture<>();
      AtomicInteger failures = new AtomicInteger();
      session.renewals().addListener(new CredentialRotator.Listener() {
        @Override
        public void onRenewed(TaskCredentials credentials) {}

        @Override
        public void onRenewalFailed(TaskcertException error, Instant expiresAt) {
          failures.incrementAndGet();
        }

        @Override
        public void onTryEnded(TaskcertException error) {
          ended.complete(error);
        }
      });
      session.client().startTask("worker-1", 4242, "airflow");
      env.admin().revokeCertificates(dev.taskcert.proto.admin.v1.RevokeCertificatesRequest.newBuilder()
          .addSerialHex(session.credentials().serialHex()).setReason("test").build());
      TaskcertException reason = ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertInstanceOf(TaskcertException.NotAuthenticated.class, reason);
      assertTrue(reason.getMessage().contains("revoked"), reason.getMessage());
      assertEquals(0, failures.get(), "a revoked certificate is not a transient failure");
    }
  }

  @Test
  void reportsEachFailedRenewalWithTheExpiryBeforeTheCertificateExpires() throws Exception {
    TestEnvironment doomed = shortLivedCertificates().started();
    SupervisorConfig config;
    String token;
    try {
      config = doomed.supervisorConfig();
      token = doomed.queue(DemoData.PAYMENTS).enrollmentToken();
    } catch (Exception e) {
      doomed.close();
      throw e;
    }
    CompletableFuture<Failure> firstFailure = new CompletableFuture<>();
    AtomicInteger endings = new AtomicInteger();
    try (TaskSession session = TaskSession.open(config, token, new SecureRandom())) {
      session.renewals().addListener(new CredentialRotator.Listener() {
        @Override
        public void onRenewed(TaskCredentials credentials) {}

        @Override
        public void onRenewalFailed(TaskcertException error, Instant expiresAt) {
          firstFailure.complete(new Failure(error, expiresAt, Instant.now(), session.credentials()));
        }

        @Override
        public void onTryEnded(TaskcertException error) {
          endings.incrementAndGet();
        }
      });
      doomed.close(); // the server and its database are gone

      Failure failure = firstFailure.get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertInstanceOf(TaskcertException.Unavailable.class, failure.error());
      assertEquals(Status.Code.UNAVAILABLE, failure.error().code());
      assertEquals(failure.inForce().notAfter(), failure.expiresAt());
      assertTrue(failure.seenAt().isBefore(failure.expiresAt()),
          "failure reported at " + failure.seenAt() + ", after the certificate expired at " + failure.expiresAt());
      assertEquals(0, endings.get(), "an unreachable server does not end the try");
    }
  }
}

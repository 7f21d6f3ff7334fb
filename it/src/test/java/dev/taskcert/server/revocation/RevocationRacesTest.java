package dev.taskcert.server.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.credentials.TaskKeys;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.credentials.Enrollment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Revoking a task try while that try renews its certificate back to back, or while its queued try
 * enrolls: whichever finishes first, once the revocation has returned no certificate of the try is
 * valid, so an enrollment or renewal in flight cannot hand the revoked try a fresh, unrevoked
 * certificate, and the two never deadlock.
 */
class RevocationRacesTest {
  private static final int ROUNDS = 6;
  private static final int RENEWERS = 2;
  /** Renewals that must succeed before the revocation, so that renewals are surely in flight. */
  private static final int RENEWALS_BEFORE_REVOKING = 6;

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @Test
  void aRenewalRacingTheRevocationOfItsTryLeavesNoValidCertificate() throws Exception {
    RenewRequest renew = RenewRequest.newBuilder()
        .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build();
    for (int round = 0; round < ROUNDS; round++) {
      try (TestTask task = env.startTask(env.dev().taskQueue()
          .queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "revoked_while_renewing_" + round, -1, 1, null))) {
        AtomicInteger renewed = new AtomicInteger();
        Set<Status.Code> endings = ConcurrentHashMap.newKeySet();
        List<Thread> renewers = new ArrayList<>();
        for (int i = 0; i < RENEWERS; i++) {
          Thread renewer = new Thread(() -> {
            // Every renewal presents the enrolled certificate; it is valid until the revocation.
            for (int calls = 0; calls < 10_000; calls++) {
              try {
                task.ca().renew(renew);
                renewed.incrementAndGet();
              } catch (StatusRuntimeException e) {
                endings.add(e.getStatus().getCode());
                return;
              }
            }
          }, "renewer-" + i);
          renewer.start();
          renewers.add(renewer);
        }
        awaitRenewals(renewed);

        TaskIdentity identity = (TaskIdentity) env.instance(dev.taskcert.pki.identity.SpiffeIdCodec.class)
            .parse(task.spiffeId());
        env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder().setReason("race").setTaskTry(
            TaskTryRef.newBuilder().setDagId(identity.dagId()).setRunId(identity.runId()).setTaskId(identity.taskId())
                .setMapIndex(identity.mapIndex()).setTryNumber(identity.tryNumber())).build());
        long stillValid = env.count("select count(*) from issued_certificate where spiffe_id = '" + task.spiffeId()
            + "' and revoked_at is null");
        for (Thread renewer : renewers) {
          renewer.join(TimeUnit.SECONDS.toMillis(60));
          assertTrue(!renewer.isAlive(), "a renewer still renews after its try was revoked");
        }

        assertEquals(0, stillValid, "round " + round + ": a certificate issued by a renewal racing the "
            + "revocation of its try is still valid");
        assertEquals(0, env.count("select count(*) from issued_certificate where spiffe_id = '" + task.spiffeId()
            + "' and revoked_at is null"), "round " + round + ": a renewal after the revocation issued a certificate");
        assertEquals(Set.of(Status.Code.UNAUTHENTICATED), endings, "round " + round);
      }
    }
  }

  @Test
  void anEnrollmentRacingTheRevocationOfItsQueuedTryLeavesNoValidCertificate() throws Exception {
    for (int round = 0; round < 20; round++) {
      QueuedTry queued = env.dev().taskQueue()
          .queue(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, "revoked_while_enrolling_" + round, -1, 1, null);
      TaskIdentity identity = queued.identity();
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Object> enrollment = new AtomicReference<>();
      Thread enroller = new Thread(() -> {
        try {
          go.await();
          enrollment.set(Enrollment.enroll(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom()));
        } catch (TaskcertException e) {
          enrollment.set(e.code());
        } catch (Exception e) {
          enrollment.set(e);
        }
      }, "enroller");
      enroller.start();
      go.countDown();
      env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder().setReason("race").setTaskTry(
          TaskTryRef.newBuilder().setDagId(identity.dagId()).setRunId(identity.runId()).setTaskId(identity.taskId())
              .setMapIndex(identity.mapIndex()).setTryNumber(identity.tryNumber())).build());
      enroller.join(TimeUnit.SECONDS.toMillis(60));

      Object outcome = enrollment.get();
      assertTrue(outcome instanceof TaskCredentials || outcome == Status.Code.UNAUTHENTICATED,
          "round " + round + ": enrollment ended with " + outcome);
      assertEquals(0, env.count("select count(*) from issued_certificate where spiffe_id = '" + queued.spiffeId()
          + "' and revoked_at is null"), "round " + round + ": an enrollment racing the revocation left a valid certificate");
    }
  }

  private static void awaitRenewals(AtomicInteger renewed) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (renewed.get() < RENEWALS_BEFORE_REVOKING) {
      if (System.nanoTime() > deadline) {
        fail("only " + renewed.get() + " renewals in 60 s");
      }
      Thread.sleep(5);
    }
  }
}

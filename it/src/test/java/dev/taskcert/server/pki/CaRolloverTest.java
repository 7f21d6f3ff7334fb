package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.CaCommands;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An intermediate rotation and a root rollover done with the operator CLI while supervisors call
 * continuously: the server picks each change up without a restart, old and new certificates are
 * both accepted during the overlap, and no call fails. Removing the old root at the end refuses
 * new connections with certificates under it.
 */
class CaRolloverTest {
  /** Short enough that everyone renews several times, long enough that a busy machine renews in time. */
  private static final Duration LIFETIME = Duration.ofSeconds(8);

  private static BigInteger intermediateSerial(TestEnvironment env) {
    return env.instance(CaState.class).current().intermediate().certificate().getSerialNumber();
  }

  /** Whether the session's current certificate chains to {@code root} (its intermediate is signed by it). */
  private static boolean issuedUnder(TaskSession session, X509Certificate root) {
    try {
      session.credentials().chain().get(1).verify(root.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  @Test
  void rotatesTheIntermediateAndRollsTheRootWithoutAFailedCall() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder
        .issuance(new IssuancePolicy(LIFETIME, Duration.ofSeconds(60)))
        .caReloadInterval(Duration.ofMillis(200))).started()) {
      String caDir = env.dev().config().caDirectory().toString();
      X509Certificate oldRoot = env.instance(CaState.class).current().bundle().roots().get(0);
      CertificateIssuer oldIssuer = env.instance(CaState.class).current().issuer();
      BigInteger firstIntermediate = intermediateSerial(env);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong calls = new AtomicLong();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<TaskSession> sessions = new java.util.concurrent.CopyOnWriteArrayList<>();
      sessions.add(env.startedSession(DemoData.ANALYTICS, "before_rotation", Clock.systemUTC()));
      Thread traffic = new Thread(() -> {
        for (int i = 0; running.get() && i < 100_000; i++) {
          for (TaskSession session : sessions) {
            try {
              session.client().getVariable(DemoData.GLOBAL_VARIABLE);
              calls.incrementAndGet();
            } catch (RuntimeException e) {
              failures.add(e.toString());
            }
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "rollover-traffic");
      traffic.start();
      try {
        // 1. A new intermediate under the same root.
        CaCommands.run("rotate-intermediate", "--ca-dir", caDir, "--root-key-dir", caDir, "--no-passphrase");
        Await.until("the server uses the new intermediate", Duration.ofSeconds(20),
            () -> !intermediateSerial(env).equals(firstIntermediate));
        TaskSession second = env.startedSession(DemoData.ANALYTICS, "after_intermediate_rotation", Clock.systemUTC());
        sessions.add(second);
        assertEquals(intermediateSerial(env), second.credentials().chain().get(1).getSerialNumber());

        // 2. A new root joins the bundle; then the intermediate moves under it.
        Path newRootDir = Files.createTempDirectory("taskcert-new-root");
        Files.delete(newRootDir);
        CaCommands.run("rotate-root", "--ca-dir", caDir, "--root-key-out", newRootDir.toString(), "--no-passphrase");
        Await.until("the server trusts both roots", Duration.ofSeconds(20),
            () -> env.instance(CaState.class).current().bundle().roots().size() == 2);
        BigInteger secondIntermediate = intermediateSerial(env);
        CaCommands.run("rotate-intermediate", "--ca-dir", caDir, "--root-key-dir", newRootDir.toString(), "--no-passphrase");
        Await.until("the intermediate moved under the new root", Duration.ofSeconds(20),
            () -> !intermediateSerial(env).equals(secondIntermediate));
        TaskSession third = env.startedSession(DemoData.ANALYTICS, "after_root_rollover", Clock.systemUTC());
        sessions.add(third);
        X509Certificate newRoot = env.instance(CaState.class).current().intermediate().root();
        assertNotEquals(oldRoot, newRoot);

        // Everyone renews under the new root before the old one goes.
        Await.until("every session renewed under the new root", LIFETIME.multipliedBy(4),
            () -> sessions.stream().allMatch(session -> issuedUnder(session, newRoot)));

        // 3. The old root leaves the bundle.
        CaCommands.run("bundle", "remove", "--ca-dir", caDir, CertificateFingerprint.of(oldRoot).hex());
        Await.until("the server trusts only the new root", Duration.ofSeconds(20),
            () -> env.instance(CaState.class).current().bundle().roots().size() == 1);
        long before = calls.get();
        Await.until("calls go on after the old root left", Duration.ofSeconds(20),
            () -> calls.get() >= before + 3L * sessions.size());
      } finally {
        running.set(false);
        traffic.join(10_000);
      }
      assertEquals(0, failures.size(), () -> failures.size() + " calls failed during the rollover, first: " + failures.peek());
      assertTrue(calls.get() > 100, "only " + calls.get() + " calls were made");

      // A certificate under the removed root no longer opens a connection.
      KeyPair keys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
      SpiffeIdCodec codec = env.instance(SpiffeIdCodec.class);
      IssuedCertificate stale = oldIssuer.issueClient(keys.getPublic(),
          codec.parse(sessions.get(0).credentials().spiffeId()), env.clock.instant());
      ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), new TaskCredentials(
          keys.getPrivate(), stale.chain(), sessions.get(0).credentials().trustRoots(), stale.spiffeId(),
          stale.serialHex(), stale.notAfter()));
      try {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
            VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      } finally {
        channel.shutdownNow();
        sessions.forEach(TaskSession::close);
      }
    }
  }
}

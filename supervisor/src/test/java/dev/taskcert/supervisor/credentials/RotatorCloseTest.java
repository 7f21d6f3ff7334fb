package dev.taskcert.supervisor.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.supervisor.SilentPeer;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.SupervisorConfig.RenewalPolicy;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.ManagedChannel;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * Closing a rotator while a renewal is in flight interrupts that renewal without reporting it as
 * a failed renewal: once {@code close()} returns, listeners hear nothing more. The renewal goes
 * over real TLS to a loopback socket that accepts and never answers, so it is certainly in flight.
 */
class RotatorCloseTest {
  /** Whether a renewal thread still runs, given a few seconds to finish unwinding. */
  private static boolean renewalThreadAlive() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("taskcert-renewal"))) {
      if (System.nanoTime() > deadline) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  @Test
  void closingDuringARenewalReportsNothing() throws Exception {
    KeyPair keys = TaskKeys.generate(new SecureRandom());
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=rotator close test");
    X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        name, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(600)), name, keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    TaskCredentials credentials = new TaskCredentials(keys.getPrivate(), List.of(certificate), List.of(certificate),
        "spiffe://test/ti/d/r/t/-1/1", "01", now.minusSeconds(60), now.plusSeconds(600), null);

    try (SilentPeer silent = new SilentPeer()) {

      String target = silent.target();
      // Renew within a second; a call timeout far longer than the test, so only close() can end the attempt.
      SupervisorConfig config = new SupervisorConfig(target, target, List.of(certificate), Duration.ofSeconds(60),
          new RenewalPolicy(0.001, 0, Duration.ofMillis(200), Duration.ofSeconds(2)));
      ManagedChannel channel = ClientTls.mutualTlsChannel(target, credentials);
      List<String> heard = new CopyOnWriteArrayList<>();
      try {
        CredentialRotator rotator = new CredentialRotator(credentials, channel, config, Clock.systemUTC(),
            new SecureRandom());
        rotator.addListener(new CredentialRotator.Listener() {
          @Override
          public void onRenewed(TaskCredentials renewed) {
            heard.add("renewed");
          }

          @Override
          public void onRenewalFailed(TaskcertException error, Instant expiresAt) {
            heard.add("failed: " + error.getMessage());
          }

          @Override
          public void onTryEnded(TaskcertException error) {
            heard.add("ended: " + error.getMessage());
          }
        });
        rotator.start();
        assertTrue(silent.awaitConnection(Duration.ofSeconds(30)), "the renewal never connected");

        rotator.close();
        assertEquals(false, renewalThreadAlive(), "close() returned while the renewal thread still ran");
        assertEquals(List.of(), heard, "a closed rotator reported its interrupted renewal");
      } finally {
        channel.shutdownNow();
      }
    }
  }
}

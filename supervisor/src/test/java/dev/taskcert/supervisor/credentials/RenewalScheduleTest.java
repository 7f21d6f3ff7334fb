package dev.taskcert.supervisor.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.SupervisorConfig.RenewalPolicy;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** When the rotator plans the next renewal, with a clock the test moves by hand. */
class RenewalScheduleTest {
  private static final Instant START = Instant.parse("2026-11-25T00:00:00Z");
  private static final Duration REMAINING = Duration.ofMinutes(5);

  private static X509Certificate certificate;
  private static KeyPair keys;

  /** A clock that stands still until told to move. */
  private static final class HandClock extends Clock {
    private Instant now = START;

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @BeforeAll
  static void selfSigned() throws Exception {
    keys = TaskKeys.generate(new SecureRandom());
    X500Name name = new X500Name("CN=renewal schedule test");
    certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        name, BigInteger.ONE, Date.from(START.minusSeconds(60)), Date.from(START.plus(REMAINING)), name, keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  private static CredentialRotator rotator(RenewalPolicy policy, Clock clock) {
    return rotator(policy, clock, null);
  }

  private static CredentialRotator rotator(RenewalPolicy policy, Clock clock, Instant issuedAt) {
    SupervisorConfig config = new SupervisorConfig("localhost:1", "localhost:2", List.of(certificate),
        Duration.ofSeconds(10), policy);
    TaskCredentials credentials = new TaskCredentials(keys.getPrivate(), List.of(certificate), List.of(certificate),
        "spiffe://test/ti/d/r/t/-1/1", "01", START.minusSeconds(60), START.plus(REMAINING), issuedAt);
    // The channel is only used to renew, which these tests never start.
    return new CredentialRotator(credentials, null, config, clock, new SecureRandom());
  }

  @Test
  void renewsAtTheFractionOfWhatRemainedWithinTheJitter() {
    try (CredentialRotator rotator = rotator(RenewalPolicy.DEFAULT, new HandClock())) {
      long earliest = (long) (REMAINING.toMillis() * (RenewalPolicy.DEFAULT.fraction() - RenewalPolicy.DEFAULT.jitter()));
      long latest = (long) (REMAINING.toMillis() * (RenewalPolicy.DEFAULT.fraction() + RenewalPolicy.DEFAULT.jitter()));
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (int i = 0; i < 1000; i++) {
        long delay = rotator.renewalDelay().toMillis();
        assertTrue(delay >= earliest && delay <= latest, delay + " ms outside [" + earliest + ", " + latest + "]");
        min = Math.min(min, delay);
        max = Math.max(max, delay);
      }
      assertTrue(max - min > (latest - earliest) / 2, "the jitter spreads renewals: " + min + ".." + max);
    }
  }

  @Test
  void timeAlreadySpentShortensTheDelayButNeverBelowZero() {
    HandClock clock = new HandClock();
    RenewalPolicy exact = new RenewalPolicy(0.5, 0, Duration.ofMillis(200), Duration.ofSeconds(30));
    try (CredentialRotator rotator = rotator(exact, clock)) {
      assertEquals(REMAINING.dividedBy(2), rotator.renewalDelay());
      clock.advance(Duration.ofMinutes(1));
      assertEquals(REMAINING.dividedBy(2).minusMinutes(1), rotator.renewalDelay());
      clock.advance(Duration.ofMinutes(10));
      assertEquals(Duration.ZERO, rotator.renewalDelay());
    }
  }

  @Test
  void timesRenewalsFromTheServersIssueTimeSoALocalClockOffsetDoesNotMatter() {
    RenewalPolicy exact = new RenewalPolicy(0.5, 0, Duration.ofMillis(200), Duration.ofSeconds(30));
    for (Duration offset : List.of(Duration.ofSeconds(-50), Duration.ZERO, Duration.ofSeconds(50))) {
      HandClock clock = new HandClock();
      clock.advance(offset); // this supervisor's clock is off from the server's, which issued at START
      try (CredentialRotator rotator = rotator(exact, clock, START)) {
        assertEquals(REMAINING.dividedBy(2), rotator.renewalDelay(), "clock offset " + offset);
        clock.advance(Duration.ofMinutes(1));
        assertEquals(REMAINING.dividedBy(2).minusMinutes(1), rotator.renewalDelay(), "clock offset " + offset);
      }
    }
  }
}

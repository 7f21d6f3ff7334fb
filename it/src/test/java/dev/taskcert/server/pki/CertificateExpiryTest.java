package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.taskcert.server.testing.TestEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The log warns of an expiring intermediate 30 days ahead and again 7 days ahead, once each. */
class CertificateExpiryTest {
  @Test
  void warnsThirtyAndSevenDaysAheadOnceEach() throws Exception {
    try (TestEnvironment env = new TestEnvironment().started()) {
      Logger logger = (Logger) LoggerFactory.getLogger(CertificateExpiry.class);
      ListAppender<ILoggingEvent> seen = new ListAppender<>();
      seen.start();
      logger.addAppender(seen);
      try {
        CertificateExpiry expiry = env.instance(CertificateExpiry.class);
        Instant notAfter = env.instance(CaState.class).current().intermediate().certificate().getNotAfter().toInstant();
        Instant start = env.clock.instant();
        expiry.warnIfNear();
        assertEquals(List.of(), intermediateWarnings(seen), "a new intermediate is far from expiry");
        env.clock.advance(Duration.between(start, notAfter.minus(Duration.ofDays(20))));
        expiry.warnIfNear();
        expiry.warnIfNear();
        assertEquals(1, intermediateWarnings(seen).size(), "warned once inside 30 days: " + intermediateWarnings(seen));
        assertTrue(intermediateWarnings(seen).get(0).contains("rotate-intermediate"), intermediateWarnings(seen).toString());
        env.clock.advance(Duration.ofDays(14));
        expiry.warnIfNear();
        expiry.warnIfNear();
        assertEquals(2, intermediateWarnings(seen).size(), "warned again inside 7 days: " + intermediateWarnings(seen));
      } finally {
        logger.detachAppender(seen);
        env.clock.advance(Duration.ZERO);
      }
    }
  }

  private static List<String> intermediateWarnings(ListAppender<ILoggingEvent> seen) {
    return seen.list.stream().map(ILoggingEvent::getFormattedMessage)
        .filter(message -> message.startsWith("the intermediate certificate expires")).toList();
  }
}

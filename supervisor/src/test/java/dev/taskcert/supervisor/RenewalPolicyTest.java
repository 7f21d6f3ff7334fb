package dev.taskcert.supervisor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.taskcert.supervisor.SupervisorConfig.RenewalPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RenewalPolicyTest {
  private static final Duration INITIAL = Duration.ofMillis(200);
  private static final Duration MAX = Duration.ofSeconds(30);

  @Test
  void acceptsTheDefaultAndSensibleValues() {
    assertDoesNotThrow(() -> new RenewalPolicy(RenewalPolicy.DEFAULT.fraction(), RenewalPolicy.DEFAULT.jitter(),
        RenewalPolicy.DEFAULT.initialBackoff(), RenewalPolicy.DEFAULT.maxBackoff()));
    assertDoesNotThrow(() -> new RenewalPolicy(0.5, 0, INITIAL, INITIAL));
    assertDoesNotThrow(() -> new RenewalPolicy(0.9, 0.09, INITIAL, MAX));
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1, -0.5, 1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void rejectsAFractionOutsideZeroToOne(double fraction) {
    assertThrows(IllegalArgumentException.class, () -> new RenewalPolicy(fraction, 0, INITIAL, MAX));
  }

  @ParameterizedTest
  @CsvSource({
    "0.5, -0.01",   // negative
    "0.5, 0.5",     // could renew at once or at expiry
    "0.9, 0.1",     // could reach expiry
    "0.1, 0.1",     // could renew immediately
    "0.5, NaN",
    "0.5, Infinity",
  })
  void rejectsAJitterThatIsNegativeOrReachesEitherEnd(double fraction, double jitter) {
    assertThrows(IllegalArgumentException.class, () -> new RenewalPolicy(fraction, jitter, INITIAL, MAX));
  }

  @Test
  void rejectsANonPositiveInitialBackoffOrAMaximumBelowIt() {
    assertThrows(IllegalArgumentException.class, () -> new RenewalPolicy(0.5, 0, Duration.ZERO, MAX));
    assertThrows(IllegalArgumentException.class, () -> new RenewalPolicy(0.5, 0, Duration.ofMillis(-1), MAX));
    assertThrows(IllegalArgumentException.class,
        () -> new RenewalPolicy(0.5, 0, Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}

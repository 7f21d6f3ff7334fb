package dev.taskcert.server.soak;

import java.time.Duration;

/**
 * How long and how hard the soak runs. The duration comes from the system property
 * {@value #DURATION_PROPERTY} (ISO-8601, for example {@code PT30M}; two minutes by default) and the
 * number of supervisors from {@value #SUPERVISORS_PROPERTY}; everything else is fixed here.
 *
 * @param duration how long supervisors call, after all of them have started
 * @param supervisors how many tries run at once, each of its own task
 * @param workers threads that make the calls, cycling over the supervisors
 * @param certificateLifetime lifetime of every task certificate the CA issues
 * @param renewalFraction share of a certificate's lifetime after which it is renewed
 * @param callInterval shortest time between two calls through one supervisor
 * @param faultInterval time between two injected faults
 * @param sampleInterval time between two resource samples (and progress lines)
 * @param warmUp time before the first resource sample that counts as the baseline
 */
record SoakSettings(
    Duration duration,
    int supervisors,
    int workers,
    Duration certificateLifetime,
    double renewalFraction,
    Duration callInterval,
    Duration faultInterval,
    Duration sampleInterval,
    Duration warmUp) {
  static final String DURATION_PROPERTY = "taskcert.soak.duration";
  static final String SUPERVISORS_PROPERTY = "taskcert.soak.supervisors";
  /** Samples whose median is the baseline, and samples whose median is the end state. */
  static final int SAMPLES_PER_WINDOW = 3;

  SoakSettings {
    if (supervisors < 4 || workers < 1) {
      throw new IllegalArgumentException("at least 4 supervisors and one worker");
    }
    Duration measured = duration.minus(warmUp);
    if (measured.compareTo(sampleInterval.multipliedBy(2L * SAMPLES_PER_WINDOW)) < 0) {
      throw new IllegalArgumentException("a soak of " + duration + " leaves too little time after its "
          + warmUp + " warm-up for a baseline and an end state that do not overlap; run at least "
          + warmUp.plus(sampleInterval.multipliedBy(2L * SAMPLES_PER_WINDOW)));
    }
  }

  /** The settings for this run: defaults, with the duration and size taken from system properties. */
  static SoakSettings fromSystemProperties() {
    Duration duration = Duration.parse(System.getProperty(DURATION_PROPERTY, "PT2M"));
    int supervisors = Integer.parseInt(System.getProperty(SUPERVISORS_PROPERTY, "48"));
    // A quarter of the run, at least 30 s (class loading, JIT, connection and buffer pools) and at
    // most 3 min, so that a long run spends nearly all its time being measured.
    Duration warmUp = clamp(duration.dividedBy(4), Duration.ofSeconds(30), Duration.ofMinutes(3));
    return new SoakSettings(
        duration,
        supervisors,
        6,
        // Six seconds, renewed at half-life: dozens of renewals per supervisor per run, and about
        // three seconds of slack for a renewal on a machine that is busy with other builds.
        Duration.ofSeconds(6),
        0.5,
        Duration.ofMillis(50),
        Duration.ofSeconds(4),
        Duration.ofSeconds(10),
        warmUp);
  }

  private static Duration clamp(Duration value, Duration min, Duration max) {
    return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
  }
}

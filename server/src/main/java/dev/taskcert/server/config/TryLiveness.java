package dev.taskcert.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a try may live without proving it is alive, and at most. Together they bound how long
 * a stolen task key stays useful (see docs/threat-model.md).
 *
 * @param heartbeatTimeout a running try whose last heartbeat is older than this, or an enrolled try
 *     that has not started within it, is failed by the server and its certificates revoked
 * @param sweepInterval how often each replica looks for such tries (one replica acts at a time)
 * @param maxTryDuration no certificate of a try is valid, or renewed, past this long after the try
 *     first enrolled (at each execution of it: a resumed try starts again); a DAG may declare a
 *     shorter bound
 * @param postTerminalGrace how long after a try reported its own terminal state it may still read
 *     its variables and connections and write its own XComs (Airflow's finalization: callbacks,
 *     listeners, operator links, the remote-logging connection); zero disables it
 */
public record TryLiveness(Duration heartbeatTimeout, Duration sweepInterval, Duration maxTryDuration,
    Duration postTerminalGrace) {
  /** The default post-terminal grace. */
  public static final Duration DEFAULT_POST_TERMINAL_GRACE = Duration.ofSeconds(60);

  /** Airflow's default heartbeat timeout ({@code task_instance_heartbeat_timeout}). */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(300);

  public static final TryLiveness DEFAULT =
      new TryLiveness(DEFAULT_HEARTBEAT_TIMEOUT, Duration.ofSeconds(15), Duration.ofHours(24));

  /** With the default post-terminal grace. */
  public TryLiveness(Duration heartbeatTimeout, Duration sweepInterval, Duration maxTryDuration) {
    this(heartbeatTimeout, sweepInterval, maxTryDuration, DEFAULT_POST_TERMINAL_GRACE);
  }

  public TryLiveness {
    Objects.requireNonNull(heartbeatTimeout, "heartbeat timeout");
    Objects.requireNonNull(sweepInterval, "sweep interval");
    Objects.requireNonNull(maxTryDuration, "maximum try duration");
    Objects.requireNonNull(postTerminalGrace, "post-terminal grace");
    if (postTerminalGrace.isNegative() || postTerminalGrace.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("try.post_terminal_grace must be between 0 and 10 minutes, got " + postTerminalGrace);
    }
    if (heartbeatTimeout.compareTo(Duration.ofSeconds(1)) < 0 || heartbeatTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("try.heartbeat_timeout must be between 1 second and 1 hour, got " + heartbeatTimeout);
    }
    if (sweepInterval.compareTo(Duration.ofMillis(100)) < 0 || sweepInterval.compareTo(heartbeatTimeout) > 0) {
      throw new IllegalArgumentException(
          "try.sweep_interval must be between 100 ms and try.heartbeat_timeout, got " + sweepInterval);
    }
    if (maxTryDuration.compareTo(Duration.ofSeconds(1)) < 0 || maxTryDuration.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("try.max_duration must be between 1 second and 7 days, got " + maxTryDuration);
    }
  }
}

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
 *     first enrolled; a DAG may declare a shorter bound
 */
public record TryLiveness(Duration heartbeatTimeout, Duration sweepInterval, Duration maxTryDuration) {
  /** Airflow's default heartbeat timeout ({@code task_instance_heartbeat_timeout}). */
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(300);

  public static final TryLiveness DEFAULT =
      new TryLiveness(DEFAULT_HEARTBEAT_TIMEOUT, Duration.ofSeconds(15), Duration.ofHours(24));

  public TryLiveness {
    Objects.requireNonNull(heartbeatTimeout, "heartbeat timeout");
    Objects.requireNonNull(sweepInterval, "sweep interval");
    Objects.requireNonNull(maxTryDuration, "maximum try duration");
    if (heartbeatTimeout.compareTo(Duration.ofSeconds(1)) < 0 || heartbeatTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("heartbeat timeout must be between 1 second and 1 hour, got " + heartbeatTimeout);
    }
    if (sweepInterval.compareTo(Duration.ofMillis(100)) < 0 || sweepInterval.compareTo(heartbeatTimeout) > 0) {
      throw new IllegalArgumentException(
          "try sweep interval must be between 100 ms and the heartbeat timeout, got " + sweepInterval);
    }
    if (maxTryDuration.compareTo(Duration.ofSeconds(1)) < 0 || maxTryDuration.compareTo(Duration.ofDays(7)) > 0) {
      throw new IllegalArgumentException("maximum try duration must be between 1 second and 7 days, got " + maxTryDuration);
    }
  }
}

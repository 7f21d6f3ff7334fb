package dev.taskcert.supervisor;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Where the server is and how far to trust it.
 *
 * @param executionTarget host:port of the mutual-TLS Execution API
 * @param enrollmentTarget host:port of the enrollment (TLS) port
 * @param trustRoots roots the server's certificate must chain to
 * @param callTimeout deadline applied to every call
 */
public record SupervisorConfig(
    String executionTarget, String enrollmentTarget, List<X509Certificate> trustRoots, Duration callTimeout) {

  public SupervisorConfig {
    trustRoots = List.copyOf(trustRoots);
    if (trustRoots.isEmpty()) {
      throw new IllegalArgumentException("at least one trust root is required");
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("call timeout must be positive");
    }
  }
}

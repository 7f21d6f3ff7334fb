package dev.taskcert.server.config;

import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.IssuancePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the server needs to start, as one immutable value.
 *
 * @param trustDomain SPIFFE trust domain of every identity this server issues and accepts
 * @param bindAddress address both ports listen on
 * @param executionPort mutual-TLS port: Execution API, Renew, Admin (0 picks a free port)
 * @param enrollmentPort server-auth-only TLS port: Enroll and GetTrustBundle (0 picks a free port)
 * @param caDirectory where the CA's certificates and keys live
 * @param serverNames DNS names and IP literals the server's TLS certificate is valid for
 * @param database how to reach PostgreSQL
 * @param issuance lifetime and backdating of task certificates
 * @param enrollmentTokenTtl default lifetime of an enrollment token
 * @param multiTeam whether team boundaries are enforced
 */
public record ServerConfig(
    TrustDomain trustDomain,
    String bindAddress,
    int executionPort,
    int enrollmentPort,
    Path caDirectory,
    List<String> serverNames,
    DatabaseConfig database,
    IssuancePolicy issuance,
    Duration enrollmentTokenTtl,
    boolean multiTeam) {

  public ServerConfig {
    serverNames = List.copyOf(serverNames);
    if (executionPort < 0 || executionPort > 65535 || enrollmentPort < 0 || enrollmentPort > 65535) {
      throw new IllegalArgumentException("ports must be between 0 and 65535");
    }
    if (enrollmentTokenTtl.isNegative() || enrollmentTokenTtl.isZero()) {
      throw new IllegalArgumentException("enrollment token TTL must be positive");
    }
  }

  /** Connection settings for PostgreSQL. */
  public record DatabaseConfig(String jdbcUrl, String user, String password, int maxPoolSize) {
    @Override
    public String toString() {
      return "DatabaseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", maxPoolSize=" + maxPoolSize + "]";
    }
  }
}

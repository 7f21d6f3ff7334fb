package dev.taskcert.server.config;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.IssuancePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the server needs to start, as one immutable value. Build it with {@link #builder};
 * {@link ServerConfigLoader} fills a builder from a properties file and environment overrides.
 *
 * @param trustDomain SPIFFE trust domain of every identity this server issues and accepts
 * @param bindAddress address every port listens on
 * @param executionPort mutual-TLS port: Execution API, Renew, Admin (0 picks a free port)
 * @param enrollmentPort server-auth-only TLS port: Enroll and GetTrustBundle (0 picks a free port)
 * @param metricsPort plain-HTTP Prometheus port ({@code -1} disables it, 0 picks a free port)
 * @param caDirectory where the CA's certificates and keys live
 * @param serverNames DNS names and IP literals the server's TLS certificate is valid for
 * @param database how to reach PostgreSQL
 * @param issuance lifetime and backdating of task certificates
 * @param enrollmentTokenTtl default lifetime of an enrollment token
 * @param multiTeam whether team boundaries are enforced
 * @param cacheTtl longest time a cached task state, ownership or revocation fact is used
 * @param secretKeyFile file holding the key that encrypts connection passwords at rest
 * @param maxXComValueBytes largest XCom value accepted, in bytes of JSON
 * @param caPassphraseEnv environment variable holding the CA key passphrase ("" when none)
 * @param caPassphraseFile file holding the CA key passphrase, or {@code null}
 * @param caReloadInterval how often the CA files are checked for a rotation (zero: never)
 * @param liveness heartbeat timeout, sweep interval and maximum duration of a try
 * @param migrateSchema whether starting migrates the database schema; otherwise the schema must
 *     already be current ({@code taskcert-server migrate} with a role that may create tables)
 * @param allowUnencryptedCaKey whether the server may load a CA key stored in the clear (no
 *     passphrase configured): development only, so it must be said explicitly
 * @param reflection whether both ports serve gRPC server reflection (off by default: it lists the
 *     whole contract to anyone who can reach the enrollment port)
 * @param serverCertificateLifetime validity of the server's own TLS certificate, which it reissues
 *     itself at half that lifetime
 * @param enrollmentLimits what the anonymous enrollment port lets one caller, and all callers, cost
 * @param caToken the PKCS#11 token holding the intermediate's key, or {@code null} when the key is
 *     a file in the CA directory
 * @param cryptoProvider which provider makes and checks the signatures outside the TLS handshake
 *     (CSR checks, certificate signatures with a key in memory, client chain checks): the native one
 *     (falling back to pure Java when it cannot load) or pure Java
 */
public record ServerConfig(
    TrustDomain trustDomain,
    String bindAddress,
    int executionPort,
    int enrollmentPort,
    int metricsPort,
    Path caDirectory,
    List<String> serverNames,
    DatabaseConfig database,
    IssuancePolicy issuance,
    Duration enrollmentTokenTtl,
    boolean multiTeam,
    Duration cacheTtl,
    Path secretKeyFile,
    int maxXComValueBytes,
    String caPassphraseEnv,
    Path caPassphraseFile,
    Duration caReloadInterval,
    TryLiveness liveness,
    boolean migrateSchema,
    boolean allowUnencryptedCaKey,
    boolean reflection,
    Duration serverCertificateLifetime,
    EnrollmentLimits enrollmentLimits,
    CaToken caToken,
    SignatureProvider.Choice cryptoProvider) {

  public ServerConfig {
    Objects.requireNonNull(trustDomain, "trust domain");
    Objects.requireNonNull(caDirectory, "CA directory");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(secretKeyFile, "secret key file");
    Objects.requireNonNull(liveness, "try liveness");
    serverNames = List.copyOf(serverNames);
    requirePort("execution_port", executionPort);
    requirePort("enrollment_port", enrollmentPort);
    if (metricsPort != -1) {
      requirePort("metrics_port", metricsPort);
    }
    if (enrollmentTokenTtl.isNegative() || enrollmentTokenTtl.isZero()) {
      throw new IllegalArgumentException("enrollment_token.ttl must be positive, got " + enrollmentTokenTtl);
    }
    if (cacheTtl.isNegative() || cacheTtl.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("cache.ttl must be between 0 and 5 minutes, got " + cacheTtl);
    }
    Objects.requireNonNull(caPassphraseEnv, "CA passphrase environment variable");
    if (!caPassphraseEnv.isEmpty() && caPassphraseFile != null) {
      throw new IllegalArgumentException(
          "ca.passphrase_env and ca.passphrase_file are both set: set the CA passphrase from one of them");
    }
    if (caReloadInterval.isNegative()) {
      throw new IllegalArgumentException("ca.reload_interval must not be negative, got " + caReloadInterval);
    }
    if (serverCertificateLifetime.compareTo(Duration.ofSeconds(10)) < 0
        || serverCertificateLifetime.compareTo(Duration.ofDays(90)) > 0) {
      throw new IllegalArgumentException(
          "server_certificate.lifetime must be between 10 seconds and 90 days, got " + serverCertificateLifetime);
    }
    Objects.requireNonNull(enrollmentLimits, "enrollment limits");
    Objects.requireNonNull(cryptoProvider, "crypto provider");
    if (maxXComValueBytes < 1024 || maxXComValueBytes > 16 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "xcom.max_value_bytes must be between 1024 (1 KiB) and 16777216 (16 MiB), got " + maxXComValueBytes);
    }
  }

  /**
   * The PKCS#11 token that holds the intermediate's key: its SunPKCS11 configuration file and
   * where its user PIN comes from (a file or an environment variable, exactly one).
   *
   * @param pinFile file (0600) holding the PIN, or {@code null}
   * @param pinEnv environment variable holding the PIN ("" when none)
   */
  public record CaToken(Path configFile, Path pinFile, String pinEnv) {
    public CaToken {
      Objects.requireNonNull(configFile, "PKCS#11 configuration file");
      Objects.requireNonNull(pinEnv, "PIN environment variable");
      if (pinFile == null == pinEnv.isEmpty()) {
        throw new IllegalArgumentException(
            "with ca.pkcs11_config set exactly one of ca.pkcs11_pin_file and ca.pkcs11_pin_env");
      }
    }
  }

  private static void requirePort(String what, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(what + " must be between 0 and 65535, got " + port);
    }
  }

  /** A builder holding the documented defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to derive a variant. */
  public Builder toBuilder() {
    return new Builder()
        .trustDomain(trustDomain).bindAddress(bindAddress).executionPort(executionPort)
        .enrollmentPort(enrollmentPort).metricsPort(metricsPort).caDirectory(caDirectory)
        .serverNames(serverNames).database(database).issuance(issuance).enrollmentTokenTtl(enrollmentTokenTtl)
        .multiTeam(multiTeam).cacheTtl(cacheTtl).secretKeyFile(secretKeyFile).maxXComValueBytes(maxXComValueBytes)
        .caPassphraseEnv(caPassphraseEnv).caPassphraseFile(caPassphraseFile).caReloadInterval(caReloadInterval)
        .liveness(liveness)
        .migrateSchema(migrateSchema).allowUnencryptedCaKey(allowUnencryptedCaKey).reflection(reflection)
        .serverCertificateLifetime(serverCertificateLifetime)
        .enrollmentLimits(enrollmentLimits).caToken(caToken).cryptoProvider(cryptoProvider);
  }

  /**
   * Bounds on the anonymous enrollment port, whose callers have proved nothing yet.
   *
   * @param threads enrollments checked and issued at once
   * @param queue enrollments waiting for a thread; beyond it a call is refused with RESOURCE_EXHAUSTED
   * @param ratePerSecond enrollments one remote address (an IPv6 /64) may start per second on
   *     average; 0 turns the limit off
   * @param burst enrollments one remote address may start at once before the rate applies
   * @param refusalAuditWindow how long refused enrollments of one address and kind are counted into
   *     one summary audit row after the first is recorded
   */
  public record EnrollmentLimits(int threads, int queue, int ratePerSecond, int burst, Duration refusalAuditWindow) {
    /** The documented defaults. */
    public static final EnrollmentLimits DEFAULT = new EnrollmentLimits(8, 256, 20, 100, Duration.ofMinutes(1));

    /** The defaults without the per-address rate limit, for a dev environment where every caller is on loopback. */
    public static final EnrollmentLimits UNLIMITED_RATE = new EnrollmentLimits(8, 256, 0, 100, Duration.ofMinutes(1));

    public EnrollmentLimits {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("enrollment.threads must be between 1 and 1024, got " + threads);
      }
      if (queue < 1 || queue > 100_000) {
        throw new IllegalArgumentException("enrollment.queue must be between 1 and 100000, got " + queue);
      }
      if (ratePerSecond < 0 || ratePerSecond > 1_000_000) {
        throw new IllegalArgumentException("enrollment.rate_per_second must be between 0 (off) and 1000000, got "
            + ratePerSecond);
      }
      if (burst < 1 || burst > 1_000_000) {
        throw new IllegalArgumentException("enrollment.rate_burst must be between 1 and 1000000, got " + burst);
      }
      if (refusalAuditWindow.compareTo(Duration.ofSeconds(1)) < 0 || refusalAuditWindow.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("enrollment.refusal_audit_window must be between 1 second and 1 hour, got "
            + refusalAuditWindow);
      }
    }
  }

  /** Connection settings for PostgreSQL. */
  public record DatabaseConfig(String jdbcUrl, String user, String password, int maxPoolSize) {
    public DatabaseConfig {
      Objects.requireNonNull(jdbcUrl, "JDBC URL");
      if (maxPoolSize < 1) {
        throw new IllegalArgumentException("database.pool_size must be at least 1, got " + maxPoolSize);
      }
    }

    @Override
    public String toString() {
      return "DatabaseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", maxPoolSize=" + maxPoolSize + "]";
    }
  }

  /** Mutable builder; every field starts at its documented default. */
  public static final class Builder {
    private TrustDomain trustDomain;
    private String bindAddress = "127.0.0.1";
    private int executionPort = 7443;
    private int enrollmentPort = 7444;
    private int metricsPort = -1;
    private Path caDirectory;
    private List<String> serverNames = List.of("localhost", "127.0.0.1");
    private DatabaseConfig database;
    private IssuancePolicy issuance = IssuancePolicy.DEFAULT;
    private Duration enrollmentTokenTtl = Duration.ofHours(24);
    private boolean multiTeam = true;
    private Duration cacheTtl = Duration.ofSeconds(5);
    private Path secretKeyFile;
    private int maxXComValueBytes = 1024 * 1024;
    private String caPassphraseEnv = "";
    private Path caPassphraseFile;
    private Duration caReloadInterval = Duration.ofSeconds(30);
    private TryLiveness liveness = TryLiveness.DEFAULT;
    private boolean migrateSchema = true;
    private boolean allowUnencryptedCaKey = false;
    private boolean reflection = false;
    private Duration serverCertificateLifetime = Duration.ofDays(7);
    private EnrollmentLimits enrollmentLimits = EnrollmentLimits.DEFAULT;
    private CaToken caToken;
    private SignatureProvider.Choice cryptoProvider = SignatureProvider.Choice.NATIVE;

    private Builder() {}

    public Builder trustDomain(TrustDomain value) { trustDomain = value; return this; }
    public Builder bindAddress(String value) { bindAddress = value; return this; }
    public Builder executionPort(int value) { executionPort = value; return this; }
    public Builder enrollmentPort(int value) { enrollmentPort = value; return this; }
    public Builder metricsPort(int value) { metricsPort = value; return this; }
    public Builder caDirectory(Path value) { caDirectory = value; return this; }
    public Builder serverNames(List<String> value) { serverNames = value; return this; }
    public Builder database(DatabaseConfig value) { database = value; return this; }
    public Builder issuance(IssuancePolicy value) { issuance = value; return this; }
    public Builder enrollmentTokenTtl(Duration value) { enrollmentTokenTtl = value; return this; }
    public Builder multiTeam(boolean value) { multiTeam = value; return this; }
    public Builder cacheTtl(Duration value) { cacheTtl = value; return this; }
    public Builder secretKeyFile(Path value) { secretKeyFile = value; return this; }
    public Builder maxXComValueBytes(int value) { maxXComValueBytes = value; return this; }
    public Builder caPassphraseEnv(String value) { caPassphraseEnv = value; return this; }
    public Builder caPassphraseFile(Path value) { caPassphraseFile = value; return this; }
    public Builder caReloadInterval(Duration value) { caReloadInterval = value; return this; }
    public Builder liveness(TryLiveness value) { liveness = value; return this; }
    public Builder migrateSchema(boolean value) { migrateSchema = value; return this; }
    public Builder allowUnencryptedCaKey(boolean value) { allowUnencryptedCaKey = value; return this; }
    public Builder reflection(boolean value) { reflection = value; return this; }
    public Builder serverCertificateLifetime(Duration value) { serverCertificateLifetime = value; return this; }
    public Builder enrollmentLimits(EnrollmentLimits value) { enrollmentLimits = value; return this; }
    public Builder caToken(CaToken value) { caToken = value; return this; }
    public Builder cryptoProvider(SignatureProvider.Choice value) { cryptoProvider = value; return this; }

    public ServerConfig build() {
      return new ServerConfig(trustDomain, bindAddress, executionPort, enrollmentPort, metricsPort,
          caDirectory, serverNames, database, issuance, enrollmentTokenTtl, multiTeam, cacheTtl,
          secretKeyFile, maxXComValueBytes, caPassphraseEnv, caPassphraseFile, caReloadInterval, liveness,
          migrateSchema, allowUnencryptedCaKey, reflection, serverCertificateLifetime, enrollmentLimits,
          caToken, cryptoProvider);
    }
  }
}

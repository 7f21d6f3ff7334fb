package dev.taskcert.dev;

import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.CaLoadException;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.catalog.Catalog;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.enrollment.TaskQueue;
import dev.taskcert.server.secret.SecretBox;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code dev} mode runs in one process: embedded PostgreSQL, a CA bootstrapped into the
 * data directory on first use (reused afterwards), the server on loopback, and the demo data.
 */
public final class DevEnvironment implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevEnvironment.class);

  /** Trust domain of dev mode. */
  public static final TrustDomain TRUST_DOMAIN = new TrustDomain("taskcert.local");

  private final EmbeddedDatabase database;
  private ServerRuntime runtime;
  private final CaDirectory ca;

  private final ServerConfig config;
  private final Clock clock;

  private DevEnvironment(EmbeddedDatabase database, ServerRuntime runtime, CaDirectory ca, ServerConfig config,
      Clock clock) {
    this.database = database;
    this.runtime = runtime;
    this.ca = ca;
    this.config = config;
    this.clock = clock;
  }

  /** The configuration the server was started with (a second replica can reuse it). */
  public ServerConfig config() {
    return config;
  }

  /**
   * Options of a dev environment.
   *
   * @param tweaks adjusts the server configuration before start (ports, TTLs, multi-team...)
   */
  public record Options(Path dataDirectory, Clock clock, UnaryOperator<ServerConfig.Builder> tweaks) {
    /** Dev defaults on the given ports. */
    public static Options of(Path dataDirectory, int executionPort, int enrollmentPort, IssuancePolicy issuance,
        Clock clock) {
      return new Options(dataDirectory, clock,
          builder -> builder.executionPort(executionPort).enrollmentPort(enrollmentPort).issuance(issuance));
    }

    public Options with(UnaryOperator<ServerConfig.Builder> more) {
      return new Options(dataDirectory, clock, builder -> more.apply(tweaks.apply(builder)));
    }
  }

  /** Starts PostgreSQL, the CA and the server, and seeds the demo data. */
  public static DevEnvironment start(Options options) throws IOException, CaLoadException {
    Path data = options.dataDirectory().toAbsolutePath();
    log.info("Data directory: {}", data);
    CaDirectory ca = new CaDirectory(data.resolve("ca"));
    ca.loadOrInitialize(TRUST_DOMAIN, KeyAlgorithm.EC_P256, options.clock().instant(), new SecureRandom());
    log.info("Starting embedded PostgreSQL in {}", data.resolve("postgres"));
    EmbeddedDatabase database = EmbeddedDatabase.start(data.resolve("postgres"));
    ServerConfig config = options.tweaks().apply(ServerConfig.builder()
            .trustDomain(TRUST_DOMAIN)
            .caDirectory(ca.path())
            // A development CA keeps its keys unencrypted; reflection helps exploring the API.
            .allowUnencryptedCaKey(true)
            .reflection(true)
            .secretKeyFile(data.resolve("secret.key"))
            .database(new ServerConfig.DatabaseConfig(database.jdbcUrl(), database.user(), "", 8))
            // Every client of a dev environment (and its load tests) is on loopback: one address.
            .enrollmentLimits(ServerConfig.EnrollmentLimits.UNLIMITED_RATE))
        .build();
    SecretBox.loadOrCreate(config.secretKeyFile(), new SecureRandom());
    ServerRuntime runtime;
    try {
      runtime = ServerRuntime.start(config, options.clock());
    } catch (IOException | RuntimeException e) {
      database.close();
      throw e;
    }
    DemoData.seed(runtime.injector().getInstance(Catalog.class), runtime.injector().getInstance(Transactions.class));
    return new DevEnvironment(database, runtime, ca, config, options.clock());
  }

  public synchronized ServerRuntime runtime() {
    return runtime;
  }

  /** The embedded PostgreSQL server (stoppable, for outage tests). */
  public EmbeddedDatabase database() {
    return database;
  }

  /**
   * Stops the server and starts a new one on the same ports against the same database and CA, as
   * an operator's restart would; open client connections see the server go away and come back.
   */
  public synchronized void restartServer() throws IOException, InterruptedException {
    int executionPort = runtime.executionPort();
    int enrollmentPort = runtime.enrollmentPort();
    runtime.close();
    runtime = ServerRuntime.start(
        config.toBuilder().executionPort(executionPort).enrollmentPort(enrollmentPort).build(), clock);
  }

  public CaDirectory ca() {
    return ca;
  }

  public TaskQueue taskQueue() {
    return runtime.injector().getInstance(TaskQueue.class);
  }

  public String executionTarget() {
    return "localhost:" + runtime.executionPort();
  }

  public String enrollmentTarget() {
    return "localhost:" + runtime.enrollmentPort();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      runtime.close();
    } finally {
      database.close();
    }
  }
}

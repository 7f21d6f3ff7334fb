package dev.taskcert.server.dev;

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
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
  private final ServerRuntime runtime;
  private final CaDirectory ca;

  private DevEnvironment(EmbeddedDatabase database, ServerRuntime runtime, CaDirectory ca) {
    this.database = database;
    this.runtime = runtime;
    this.ca = ca;
  }

  /** Options of a dev environment. */
  public record Options(Path dataDirectory, int executionPort, int enrollmentPort, IssuancePolicy issuance,
      Clock clock) {}

  /** Starts PostgreSQL, the CA and the server, and seeds the demo data. */
  public static DevEnvironment start(Options options) throws IOException, CaLoadException {
    Path data = options.dataDirectory().toAbsolutePath();
    log.info("Data directory: {}", data);
    CaDirectory ca = new CaDirectory(data.resolve("ca"));
    ca.loadOrInitialize(TRUST_DOMAIN, KeyAlgorithm.EC_P256, options.clock().instant(), new SecureRandom());
    log.info("Starting embedded PostgreSQL in {}", data.resolve("postgres"));
    EmbeddedDatabase database = EmbeddedDatabase.start(data.resolve("postgres"));
    ServerConfig config = new ServerConfig(
        TRUST_DOMAIN,
        "127.0.0.1",
        options.executionPort(),
        options.enrollmentPort(),
        ca.path(),
        List.of("localhost", "127.0.0.1"),
        new ServerConfig.DatabaseConfig(database.jdbcUrl(), database.user(), "", 8),
        options.issuance(),
        Duration.ofHours(24),
        true);
    ServerRuntime runtime;
    try {
      runtime = ServerRuntime.start(config, options.clock());
    } catch (IOException | RuntimeException e) {
      database.close();
      throw e;
    }
    DemoData.seed(runtime.injector().getInstance(Catalog.class), runtime.injector().getInstance(Transactions.class));
    return new DevEnvironment(database, runtime, ca);
  }

  public ServerRuntime runtime() {
    return runtime;
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

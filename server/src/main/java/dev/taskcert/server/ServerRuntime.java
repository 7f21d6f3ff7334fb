package dev.taskcert.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.DatabaseModule;
import dev.taskcert.server.grpc.TaskcertServer;
import dev.taskcert.server.liveness.TryReaper;
import dev.taskcert.server.secret.SecretBox;
import java.io.IOException;
import java.time.Clock;
import javax.sql.DataSource;

/** A started server: its object graph and listening ports, stopped by {@link #close()}. */
public final class ServerRuntime implements AutoCloseable {
  private final Injector injector;
  private final TaskcertServer server;
  private final TryReaper reaper;

  private ServerRuntime(Injector injector) {
    this.injector = injector;
    this.server = injector.getInstance(TaskcertServer.class);
    this.reaper = injector.getInstance(TryReaper.class);
  }

  /**
   * Wires the server from {@code config} and starts it, in an order that touches nothing before
   * what it depends on is known to be right: the CA first (keys, passphrase, trust domain,
   * validity), then the secret key, then the database (migrated, or checked to be current), then
   * the ports.
   *
   * @throws StartupFailure with one line naming what to fix
   */
  public static ServerRuntime start(ServerConfig config, Clock clock) throws IOException {
    Injector injector = Guice.createInjector(ServerModules.all(config, clock));
    provision(injector, CaState.class);
    provision(injector, SecretBox.class);
    DataSource database = provision(injector, DataSource.class);
    try {
      ServerRuntime runtime = new ServerRuntime(injector);
      runtime.server.start();
      runtime.reaper.start();
      return runtime;
    } catch (IOException | RuntimeException e) {
      closePool(database);
      throw e;
    }
  }

  /**
   * Migrates the database schema to this server's version and returns the version reached; needs
   * neither the CA nor free ports.
   */
  public static String migrate(ServerConfig config, Clock clock) {
    Injector injector = Guice.createInjector(ServerModules.all(config.toBuilder().migrateSchema(true).build(), clock));
    DataSource database = provision(injector, DataSource.class);
    try {
      return schemaVersion(database);
    } finally {
      closePool(database);
    }
  }

  /** What {@link #check} found. */
  public record Check(String intermediateSerial, java.time.Instant intermediateNotAfter, int roots, String schemaVersion,
      String signatureProvider) {}

  /**
   * Checks, without serving, what {@link #start} would need: the CA (in the order start loads it),
   * then the secret key, then the database, reachable with its schema current. Nothing is
   * migrated and no port is bound.
   *
   * @throws StartupFailure with one line naming what to fix
   */
  public static Check check(ServerConfig config, Clock clock) {
    Injector injector = Guice.createInjector(ServerModules.all(config.toBuilder().migrateSchema(false).build(), clock));
    CaState.Snapshot ca = provision(injector, CaState.class).current();
    provision(injector, SecretBox.class);
    DataSource database = provision(injector, DataSource.class);
    try {
      return new Check(ca.intermediate().certificate().getSerialNumber().toString(16),
          ca.intermediate().certificate().getNotAfter().toInstant(), ca.bundle().roots().size(), schemaVersion(database),
          injector.getInstance(dev.taskcert.pki.crypto.SignatureProvider.class).describe());
    } finally {
      closePool(database);
    }
  }

  private static String schemaVersion(DataSource database) {
    try {
      return DatabaseModule.schemaVersion(database);
    } catch (RuntimeException e) {
      throw new StartupFailure("the schema version cannot be read: " + StartupFailure.rootMessage(e), e);
    }
  }

  /** Gets {@code type} from the injector, with a {@link StartupFailure} passed on as it is. */
  private static <T> T provision(Injector injector, Class<T> type) {
    try {
      return injector.getInstance(type);
    } catch (ProvisionException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof StartupFailure failure) {
          throw failure;
        }
      }
      throw e;
    }
  }

  private static void closePool(DataSource database) {
    if (database instanceof AutoCloseable pool) {
      try {
        pool.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot close the connection pool", e);
      }
    }
  }

  public Injector injector() {
    return injector;
  }

  public int executionPort() {
    return server.executionPort();
  }

  public int enrollmentPort() {
    return server.enrollmentPort();
  }

  /** The Prometheus HTTP port, or -1 when metrics are off. */
  public int metricsPort() {
    return server.metricsPort();
  }

  @Override
  public void close() throws InterruptedException {
    reaper.close();
    server.stop(10);
    closePool(injector.getInstance(DataSource.class));
  }
}

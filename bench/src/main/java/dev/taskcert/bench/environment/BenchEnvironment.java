package dev.taskcert.bench.environment;

import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.dev.DemoData;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.enrollment.TaskQueue;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.supervisor.SupervisorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The real server under test, started exactly as {@code dev} mode starts it (embedded PostgreSQL,
 * a CA bootstrapped in a temporary directory, the demo teams, DAGs and variables), listening on
 * loopback ports chosen by the system. Closing it stops everything and deletes the directory.
 */
public final class BenchEnvironment implements AutoCloseable {
  /** The demo DAG every benchmark task belongs to (team {@code analytics}). */
  public static final DemoData.DemoTask DAG = DemoData.ANALYTICS;
  /** A variable of the DAG's own team, readable by its tasks. */
  public static final String TEAM_VARIABLE = DemoData.ANALYTICS.ownVariable();

  private final Path directory;
  private final DevEnvironment dev;
  private final List<ServerRuntime> replicas = new ArrayList<>();

  private BenchEnvironment(Path directory, DevEnvironment dev) {
    this.directory = directory;
    this.dev = dev;
  }

  /** Starts the server with its default configuration on free loopback ports. */
  public static BenchEnvironment start() throws Exception {
    Path directory = Files.createTempDirectory("taskcert-bench");
    try {
      DevEnvironment dev = DevEnvironment.start(
          DevEnvironment.Options.of(directory, 0, 0, IssuancePolicy.DEFAULT, Clock.systemUTC())
              .with(builder -> builder.bindAddress("127.0.0.1").caReloadInterval(Duration.ZERO)));
      return new BenchEnvironment(directory, dev);
    } catch (Exception | Error e) {
      deleteRecursively(directory);
      throw e;
    }
  }

  /**
   * Starts a second replica on the same database and CA with its configuration adjusted by
   * {@code tweaks} (for example a zero cache TTL); it is stopped with this environment.
   */
  public ServerRuntime startReplica(UnaryOperator<ServerConfig.Builder> tweaks) throws IOException {
    ServerConfig config = tweaks.apply(dev.config().toBuilder().executionPort(0).enrollmentPort(0).metricsPort(-1)).build();
    ServerRuntime replica = ServerRuntime.start(config, Clock.systemUTC());
    replicas.add(replica);
    return replica;
  }

  public ServerConfig config() {
    return dev.config();
  }

  /** An object of the server's own graph (its CA, transactions, data source...). */
  public <T> T instance(Class<T> type) {
    return dev.runtime().injector().getInstance(type);
  }

  public CaState ca() {
    return instance(CaState.class);
  }

  public Transactions transactions() {
    return instance(Transactions.class);
  }

  /** {@code 127.0.0.1:port} of the mutual-TLS execution port. */
  public String executionTarget() {
    return "127.0.0.1:" + dev.runtime().executionPort();
  }

  /** {@code 127.0.0.1:port} of the enrollment port. */
  public String enrollmentTarget() {
    return "127.0.0.1:" + dev.runtime().enrollmentPort();
  }

  /** What a supervisor of this server is configured with. */
  public SupervisorConfig supervisorConfig() {
    return new SupervisorConfig(executionTarget(), enrollmentTarget(), ca().current().bundle().roots(),
        Duration.ofSeconds(30));
  }

  /**
   * Queues the first try of {@code count} mapped task instances {@code taskId[0..count-1]} of the
   * benchmark DAG, {@code threads} at a time, and returns their enrollment tokens in index order.
   */
  public List<QueuedTry> queueMapped(String taskId, int count, int threads) throws Exception {
    TaskQueue queue = dev.taskQueue();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<QueuedTry>> futures = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int mapIndex = i;
        futures.add(pool.submit(() -> queue.queue(DAG.dagId(), DemoData.RUN_ID, taskId, mapIndex, 1, null)));
      }
      List<QueuedTry> queued = new ArrayList<>(count);
      for (Future<QueuedTry> future : futures) {
        queued.add(future.get());
      }
      return queued;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs a query returning one text value, for the report (for example {@code show fsync}). */
  public String queryText(String sql) throws SQLException {
    try (Connection connection = instance(DataSource.class).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      String value = rows.getString(1);
      connection.rollback();
      return value;
    }
  }

  /** The embedded PostgreSQL data directory (to find its processes). */
  public Path databaseDirectory() {
    return directory.resolve("postgres");
  }

  @Override
  public void close() throws Exception {
    try {
      for (ServerRuntime replica : replicas) {
        replica.close();
      }
      dev.close();
    } finally {
      deleteRecursively(directory);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}

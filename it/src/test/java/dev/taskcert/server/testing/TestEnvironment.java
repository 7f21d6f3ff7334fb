package dev.taskcert.server.testing;

import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.WorkloadIdentity;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import dev.taskcert.proto.admin.v1.AssetAdminGrpc;
import dev.taskcert.proto.admin.v1.HitlAdminGrpc;
import io.grpc.ManagedChannel;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.audit.AuditMapper;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.dev.DemoData;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import javax.sql.DataSource;

/**
 * A whole server for integration tests: real embedded PostgreSQL, a real CA in a temporary
 * directory, real TLS on loopback, the demo data, and a clock the test controls. Register it with
 * {@code @RegisterExtension static final TestEnvironment env = new TestEnvironment();} to share one
 * per test class, or call {@link #started()} in a try-with-resources for one test.
 *
 * <p>The system property {@value SupervisorConfig#CRYPTO_PROVIDER_PROPERTY} ({@code native} when
 * unset, or {@code jdk}) chooses the signature provider of the whole run: the supervisor library
 * reads it for every supervisor, and this environment gives its server the same
 * {@code crypto.provider} (a test's own tweaks may still override it).
 */
public final class TestEnvironment implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  public final MutableClock clock = new MutableClock();
  private final UnaryOperator<ServerConfig.Builder> tweaks;
  private DevEnvironment dev;
  private Path directory;
  private ManagedChannel adminChannel;

  /** An environment with the default configuration; starts before the test class when registered. */
  public TestEnvironment() {
    this(builder -> builder);
  }

  /** An environment whose server configuration is adjusted by {@code tweaks}. */
  public TestEnvironment(UnaryOperator<ServerConfig.Builder> tweaks) {
    this.tweaks = tweaks;
  }

  /** Starts the environment (once) and returns it, for use outside {@code @RegisterExtension}. */
  public synchronized TestEnvironment started() throws Exception {
    if (dev == null) {
      directory = Files.createTempDirectory("taskcert-test");
      SignatureProvider.Choice crypto = cryptoProvider();
      dev = DevEnvironment.start(DevEnvironment.Options.of(directory, 0, 0, IssuancePolicy.DEFAULT, clock)
          .with(builder -> tweaks.apply(builder.cryptoProvider(crypto))));
    }
    return this;
  }

  /** The run's choice of signature provider for servers (see the class comment). */
  public static SignatureProvider.Choice cryptoProvider() {
    return SignatureProvider.Choice.parse(
        System.getProperty(SupervisorConfig.CRYPTO_PROVIDER_PROPERTY, SignatureProvider.Choice.NATIVE.word()));
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    started();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  /** The running dev environment. */
  public DevEnvironment dev() {
    if (dev == null) {
      throw new IllegalStateException("the test environment has not been started");
    }
    return dev;
  }

  public SupervisorConfig supervisorConfig() throws Exception {
    return new SupervisorConfig(dev().executionTarget(), dev().enrollmentTarget(),
        dev().ca().loadTrustBundle().roots(), Duration.ofSeconds(10));
  }

  /** Queues the next try of a demo task. */
  public QueuedTry queue(DemoData.DemoTask task) {
    return dev().taskQueue().queue(task.dagId(), DemoData.RUN_ID, task.taskId(), -1, 3, null);
  }

  /** Queues, enrolls and starts a try of a demo task. */
  public TaskSession startedSession(DemoData.DemoTask task) throws Exception {
    return startedSession(queue(task).enrollmentToken(), Clock.systemUTC());
  }

  /**
   * Queues, enrolls and starts the first try of task {@code taskId} in {@code team}'s DAG, so that
   * sessions of different task ids never supersede each other; renewals are timed with {@code clock}.
   */
  public TaskSession startedSession(DemoData.DemoTask team, String taskId, Clock clock) throws Exception {
    String token = dev().taskQueue().queue(team.dagId(), DemoData.RUN_ID, taskId, -1, 1, null).enrollmentToken();
    return startedSession(token, clock);
  }

  private TaskSession startedSession(String enrollmentToken, Clock clock) throws Exception {
    TaskSession session = TaskSession.open(supervisorConfig(), enrollmentToken, new SecureRandom(), clock);
    session.client().startTask("worker-1", 4242, "airflow");
    return session;
  }

  /** Queues, enrolls and starts a try of a demo task, with raw stubs over its channel. */
  public TestTask startTask(DemoData.DemoTask task) throws Exception {
    return new TestTask(startedSession(task), dev().executionTarget());
  }

  /** Enrolls and starts an already queued try, with raw stubs over its channel. */
  public TestTask startTask(QueuedTry queued) throws Exception {
    return startTaskWithToken(queued.enrollmentToken());
  }

  /** Enrolls with a token (for example one the Admin API returned) and starts the try. */
  public TestTask startTaskWithToken(String enrollmentToken) throws Exception {
    TaskSession session = TaskSession.open(supervisorConfig(), enrollmentToken, new SecureRandom());
    session.client().startTask("worker-1", 4242, "airflow");
    return new TestTask(session, dev().executionTarget());
  }

  /**
   * An Admin API stub authenticated with an admin certificate valid for an hour (as an operator's
   * would be), whatever the lifetime of task certificates.
   */
  public AdminGrpc.AdminBlockingStub admin() {
    if (adminChannel == null) {
      adminChannel = ClientTls.mutualTlsChannel(dev().executionTarget(), adminCredentials("test-operator"));
    }
    return AdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The asset registration API, over the same admin channel as {@link #admin()}. */
  public AssetAdminGrpc.AssetAdminBlockingStub assetAdmin() {
    admin();
    return AssetAdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The human-in-the-loop answer API, over the same admin channel as {@link #admin()}. */
  public HitlAdminGrpc.HitlAdminBlockingStub hitlAdmin() {
    admin();
    return HitlAdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** An admin's key and certificate, valid for an hour, for a client outside this process. */
  public TaskCredentials adminCredentials(String name) {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    IssuedCertificate issued = instance(CaState.class).current().issuer()
        .issueAdmin(keys.getPublic(), new AdminIdentity(name), clock.instant(), Duration.ofHours(1));
    return credentials(keys, issued);
  }

  /** Credentials issued in-process by this server's CA for any identity. */
  public TaskCredentials credentialsFor(WorkloadIdentity identity) {
    KeyPair keys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    IssuedCertificate issued = instance(CaState.class).current().issuer().issueClient(keys.getPublic(), identity, clock.instant());
    return credentials(keys, issued);
  }

  private TaskCredentials credentials(KeyPair keys, IssuedCertificate issued) {
    try {
      return new TaskCredentials(keys.getPrivate(), issued.chain(), supervisorConfig().trustRoots(),
          issued.spiffeId(), issued.serialHex(), issued.notAfter());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public <T> T instance(Class<T> type) {
    return dev().runtime().injector().getInstance(type);
  }

  /** The newest audit events, newest first. */
  public List<AuditEventRow> audit(int limit) {
    return instance(Transactions.class).withMapper(AuditMapper.class, mapper -> mapper.newest(limit));
  }

  /** Runs a query returning one number. */
  public long count(String sql) throws SQLException {
    try (Connection connection = instance(DataSource.class).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      long value = rows.getLong(1);
      connection.rollback();
      return value;
    }
  }

  @Override
  public synchronized void close() throws Exception {
    if (adminChannel != null) {
      adminChannel.shutdownNow();
      adminChannel = null;
    }
    if (dev == null) {
      return;
    }
    try {
      dev.close();
    } finally {
      dev = null;
      deleteRecursively(directory);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}

package dev.taskcert.server.cache;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two server processes on one database agree: a try ended or a certificate revoked through one is
 * refused by the other long before the cache TTL, because PostgreSQL NOTIFY reaches both. The
 * second replica is a separate JVM started with {@code taskcert-server serve}, configured through
 * the environment only, and stopped with SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaConsistencyTest {
  /** Longer than any wait below, so only a notification can explain a refusal. */
  private static final Duration CACHE_TTL = Duration.ofMinutes(2);
  private static final long WAIT_MILLIS = 15_000;

  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder.cacheTtl(CACHE_TTL));
  private static Process replica;
  private static Path replicaLog;
  private static int replicaPort;

  @BeforeAll
  static void start() throws Exception {
    ServerConfig first = env.dev().config();
    replicaPort = FreePorts.next();
    Map<String, String> settings = Map.of(
        "trust_domain", first.trustDomain().name(),
        "execution_port", Integer.toString(replicaPort),
        "enrollment_port", Integer.toString(FreePorts.next()),
        "ca_directory", first.caDirectory().toString(),
        "ca.allow_unencrypted_key", "true",
        "secret_key_file", first.secretKeyFile().toString(),
        "database.url", first.database().jdbcUrl(),
        "database.user", first.database().user(),
        "cache.ttl", CACHE_TTL.toString());
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.taskcert.server.cli.ServerCli", "serve");
    settings.forEach((key, value) -> builder.environment().put(ServerConfigLoader.environmentName(key), value));
    replicaLog = Files.createTempFile("taskcert-replica", ".log");
    builder.redirectErrorStream(true).redirectOutput(replicaLog.toFile());
    replica = builder.start();
    awaitServing();
  }

  @AfterAll
  static void stop() throws Exception {
    if (replica != null) {
      replica.destroy();
      if (!replica.waitFor(30, TimeUnit.SECONDS)) {
        replica.destroyForcibly();
      }
      Files.deleteIfExists(replicaLog);
    }
  }

  private static void awaitServing() throws Exception {
    // Generous: a second JVM starting on a busy two-core machine can be slow; a healthy one answers in seconds.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!replica.isAlive()) {
        fail("the replica exited with " + replica.exitValue() + ":\n" + Files.readString(replicaLog));
      }
      try (TestTask probe = env.startTask(DemoData.PAYMENTS)) {
        ManagedChannel channel = replicaChannel(probe);
        try {
          HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          return;
        } catch (StatusRuntimeException notYet) {
          Thread.sleep(200);
        } finally {
          channel.shutdownNow();
        }
      }
    }
    fail("the replica did not start within 180 s:\n" + Files.readString(replicaLog));
  }

  private static ManagedChannel replicaChannel(TestTask task) {
    return ClientTls.mutualTlsChannel("localhost:" + replicaPort, task.session().credentials());
  }

  private static VariablesGrpc.VariablesBlockingStub onReplica(ManagedChannel channel) {
    return VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Polls until the call fails with {@code expected}, for at most {@link #WAIT_MILLIS}. */
  private static void awaitRefusal(Runnable call, Status.Code expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (System.nanoTime() < deadline) {
      try {
        call.run();
      } catch (StatusRuntimeException e) {
        assertEquals(expected, e.getStatus().getCode(), e.toString());
        return;
      }
      Thread.sleep(50);
    }
    fail("the replica still accepted the call after " + WAIT_MILLIS + " ms");
  }

  @Test
  void tryEndedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      ManagedChannel channel = replicaChannel(task);
      try {
        GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
        assertEquals("dev", onReplica(channel).getVariable(read).getValue()); // warms the replica's cache
        task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build());
        // (reads of single variables keep a post-terminal grace; listing keys does not)
        awaitRefusal(() -> onReplica(channel).listVariableKeys(
            dev.taskcert.proto.execution.v1.ListVariableKeysRequest.getDefaultInstance()), Status.Code.FAILED_PRECONDITION);
        refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> onReplica(channel).listVariableKeys(
            dev.taskcert.proto.execution.v1.ListVariableKeysRequest.getDefaultInstance()));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void certificateRevokedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      ManagedChannel channel = replicaChannel(task);
      try {
        GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
        onReplica(channel).getVariable(read);
        env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
            .addSerialHex(task.session().credentials().serialHex()).setReason("test").build());
        awaitRefusal(() -> onReplica(channel).getVariable(read), Status.Code.UNAUTHENTICATED);
        refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> onReplica(channel).getVariable(read));
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void replicaDrainsAndStopsOnSigterm() throws Exception {
    replica.destroy();
    assertEquals(true, replica.waitFor(30, TimeUnit.SECONDS), "the replica did not stop within 30 s");
    String log = Files.readString(replicaLog);
    assertEquals(128 + 15, replica.exitValue(), log); // the JVM's status after a handled SIGTERM
    assertEquals(true, log.contains("Server stopped"), log);
  }
}

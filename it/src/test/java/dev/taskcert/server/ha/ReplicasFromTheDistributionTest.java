package dev.taskcert.server.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.dev.EmbeddedDatabase;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.RegisterTeamRequest;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.CaCommands;
import dev.taskcert.server.testing.DeploymentGuide;
import dev.taskcert.server.secret.SecretBox;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A highly available deployment as an operator runs it: three replicas started from the
 * distribution's launcher on one PostgreSQL (schema migrated once by {@code taskcert-server migrate},
 * replicas on {@code serve --no-migrate}), supervisors that spread their calls over all three by
 * client-side round robin, and one replica killed (SIGKILL) under load. No acknowledged write is
 * lost, every supervisor carries on, and no call fails: a call cut off by the kill is retried (the
 * calls are idempotent) on a replica that is still there.
 */
class ReplicasFromTheDistributionTest {
  private static final int REPLICAS = 3;
  private static final int SUPERVISORS = 6;
  /** The roles docs/deployment.md creates: the one that migrates, and the one the servers use. */
  private static final String OWNER_ROLE = "taskcert_owner";
  private static final String SERVER_ROLE = "taskcert";
  private static final String DAG = "ha_dag";
  private static final String RUN = "manual__ha";

  @TempDir Path work;
  private final List<Process> replicas = new ArrayList<>();
  private EmbeddedDatabase database;

  @AfterEach
  void stop() throws Exception {
    for (Process replica : replicas) {
      replica.destroy();
    }
    for (Process replica : replicas) {
      if (!replica.waitFor(30, TimeUnit.SECONDS)) {
        replica.destroyForcibly();
      }
    }
    if (database != null) {
      database.close();
    }
  }

  private static Path distribution() {
    Path home = Path.of(System.getProperty("taskcert.dist.home", "../dist/target/none"));
    assertTrue(Files.isExecutable(home.resolve("bin/taskcert-server")),
        "the distribution is built before the integration tests (./mvnw verify builds it): " + home);
    return home;
  }

  /** One replica's configuration file and ports. */
  private record Replica(Path config, int execution, int enrollment, int metrics) {}

  private Replica configure(int index, Path ca, String jdbcUrl) throws Exception {
    Replica replica = new Replica(work.resolve("replica-" + index + ".properties"), FreePorts.next(), FreePorts.next(), FreePorts.next());
    Files.writeString(replica.config(), String.join("\n",
        "trust_domain=ha.example",
        "execution_port=" + replica.execution(),
        "enrollment_port=" + replica.enrollment(),
        "metrics_port=" + replica.metrics(),
        "ca_directory=" + ca,
        "ca.passphrase_file=" + work.resolve("passphrase"),
        "secret_key_file=" + work.resolve("secret.key"),
        "database.url=" + jdbcUrl,
        "database.user=" + SERVER_ROLE,
        "cache.ttl=PT1S", ""));
    return replica;
  }

  private Process launch(String name, String... args) throws Exception {
    return launch(name, Map.of(), args);
  }

  private Process launch(String name, Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(distribution().resolve("bin/taskcert-server").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("TASKCERT_"));
    builder.environment().putAll(environment);
    return builder.start();
  }

  private static int status(HttpClient http, int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static long rpcs(HttpClient http, int port) throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines()
        .filter(line -> line.startsWith("taskcert_rpc_total{") && line.contains("code=\"OK\"")
            && line.contains("taskcert.execution.v1."))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aReplicaKilledUnderLoadLosesNoAcknowledgedWriteAndNoSupervisorStops() throws Exception {
    database = EmbeddedDatabase.start(work.resolve("pg"));
    Files.writeString(work.resolve("passphrase"), "a passphrase of the ha test");
    Files.setPosixFilePermissions(work.resolve("passphrase"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Path ca = work.resolve("ca");
    CaCommands.run("init", "--ca-dir", ca.toString(), "--trust-domain", "ha.example",
        "--passphrase-file", work.resolve("passphrase").toString(), "--root-key-out", work.resolve("root").toString(),
        "--root-passphrase-file", work.resolve("passphrase").toString());
    CaCommands.run("issue", "--ca-dir", ca.toString(), "--passphrase-file", work.resolve("passphrase").toString(),
        "--name", "ha-operator", "--out", work.resolve("operator").toString());
    SecretBox.loadOrCreate(work.resolve("secret.key"), new SecureRandom());
    String jdbcUrl = DeploymentGuide.createDatabase(database);

    List<Replica> configs = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      configs.add(configure(i, ca, jdbcUrl));
    }
    // Migrated by the owner role; served by the role that may only read and write rows.
    Process migrate = launch("migrate", Map.of("TASKCERT_DATABASE_USER", OWNER_ROLE),
        "migrate", "--config", configs.get(0).config().toString());
    assertTrue(migrate.waitFor(120, TimeUnit.SECONDS), "migrate did not finish");
    assertEquals(0, migrate.exitValue(), Files.readString(work.resolve("migrate.log")));
    try (Connection db = DriverManager.getConnection(jdbcUrl, database.user(), "");
        Statement statement = db.createStatement();
        ResultSet row = statement.executeQuery("select has_schema_privilege('" + SERVER_ROLE + "', 'public', 'CREATE'),"
            + " (select count(*) from pg_tables where schemaname = 'public' and tableowner <> '" + OWNER_ROLE + "'),"
            + " (select count(*) from pg_tables where schemaname = 'public')")) {
      row.next();
      assertEquals(false, row.getBoolean(1), "the servers' role may not create tables");
      assertEquals(0, row.getLong(2), "every table belongs to the owner role");
      assertTrue(row.getLong(3) > 10, "migrated");
    }
    for (int i = 0; i < REPLICAS; i++) {
      // One replica logs JSON, as a log shipper would want it.
      List<String> args = new ArrayList<>(List.of("serve", "--no-migrate", "--config", configs.get(i).config().toString()));
      if (i == 0) {
        args.addAll(List.of("--log-format", "json"));
      }
      replicas.add(launch("replica-" + i, args.toArray(String[]::new)));
    }
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < REPLICAS; i++) {
      int metrics = configs.get(i).metrics();
      int replica = i;
      Await.until("replica " + i + " is ready", Duration.ofSeconds(90), () -> {
        if (!replicas.get(replica).isAlive()) {
          throw new AssertionError("replica " + replica + " exited: " + readQuietly(work.resolve("replica-" + replica + ".log")));
        }
        return status(http, metrics, "/readyz") == 200;
      });
    }
    for (String line : Files.readAllLines(work.resolve("replica-0.log"))) {
      com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
      assertTrue(json.hasNonNull("timestamp") && json.hasNonNull("level") && json.hasNonNull("formattedMessage"), line);
    }
    String execution = String.join(",", configs.stream().map(r -> "localhost:" + r.execution()).toList());
    String enrollment = String.join(",", configs.stream().map(r -> "localhost:" + r.enrollment()).toList());
    List<X509Certificate> roots = Pem.parseCertificates(Files.readString(ca.resolve("bundle.pem")));

    // The operator sets up a team's DAG and run through the spread admin channel.
    List<X509Certificate> chain = Pem.parseCertificates(Files.readString(work.resolve("operator/ha-operator.pem")));
    PrivateKey key = Pem.parsePrivateKey(Files.readString(work.resolve("operator/ha-operator-key.pem")));
    ManagedChannel adminChannel = ClientTls.mutualTlsChannel(execution,
        new TaskCredentials(key, chain, roots, "", chain.get(0).getSerialNumber().toString(16), chain.get(0).getNotAfter().toInstant()));
    List<TaskSession> sessions = new ArrayList<>();
    try {
      AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(30, TimeUnit.SECONDS);
      admin.registerTeam(RegisterTeamRequest.newBuilder().setName("ha-team").build());
      admin.registerDagBundle(RegisterDagBundleRequest.newBuilder().setName("ha-bundle").setTeam("ha-team").build());
      admin.registerDag(RegisterDagRequest.newBuilder().setDagId(DAG).setBundle("ha-bundle").build());
      admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId(DAG).setRunId(RUN).build());
      admin.setVariable(AdminSetVariableRequest.newBuilder().setKey("ha_setting").setValue("on").setTeam("ha-team").build());
      SupervisorConfig supervisor = new SupervisorConfig(execution, enrollment, roots, Duration.ofSeconds(10));
      for (int i = 0; i < SUPERVISORS; i++) {
        String token = admin.queueTaskInstance(QueueTaskInstanceRequest.newBuilder().setDagId(DAG).setRunId(RUN)
            .setTaskId("task_" + i).setMapIndex(-1).setMaxTries(1).build()).getEnrollmentToken();
        TaskSession session = TaskSession.open(supervisor, token, new SecureRandom());
        session.client().startTask("ha-worker", 1000 + i, "airflow");
        sessions.add(session);
      }

      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      Map<Integer, AtomicLong> succeeded = new ConcurrentHashMap<>();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < SUPERVISORS; i++) {
        TaskSession session = sessions.get(i);
        int index = i;
        succeeded.put(i, new AtomicLong());
        Thread worker = new Thread(() -> {
          for (int n = 0; running.get() && n < 100_000; n++) {
            try {
              String xcom = "x" + n;
              session.client().setXCom(xcom, Integer.toString(n));
              acknowledged.add(index + "/" + xcom);
              session.client().getVariable("ha_setting");
              session.client().heartbeat("ha-worker", 1000 + index);
              succeeded.get(index).incrementAndGet();
            } catch (TaskcertException e) {
              failures.add("supervisor " + index + ": " + e);
            }
          }
        }, "ha-supervisor-" + i);
        worker.start();
        workers.add(worker);
      }
      try {
        Await.until("every replica serves calls", Duration.ofSeconds(30), () -> {
          for (Replica replica : configs) {
            try {
              if (rpcs(http, replica.metrics()) < 20) {
                return false;
              }
            } catch (Exception e) {
              return false;
            }
          }
          return true;
        });
        replicas.get(1).destroyForcibly();
        assertTrue(replicas.get(1).waitFor(30, TimeUnit.SECONDS));
        Map<Integer, Long> atKill = new java.util.HashMap<>();
        succeeded.forEach((index, count) -> atKill.put(index, count.get()));
        Await.until("every supervisor carries on after the kill", Duration.ofSeconds(60),
            () -> succeeded.entrySet().stream().allMatch(e -> e.getValue().get() >= atKill.get(e.getKey()) + 20));
      } finally {
        running.set(false);
        for (Thread worker : workers) {
          worker.join(30_000);
        }
      }
      assertEquals(List.of(), failures, "calls that failed although retried");
      try (Connection db = DriverManager.getConnection(jdbcUrl, database.user(), "");
          Statement statement = db.createStatement();
          ResultSet rows = statement.executeQuery("select task_id, key from xcom")) {
        Set<String> stored = new java.util.HashSet<>();
        while (rows.next()) {
          stored.add(rows.getString(1).substring("task_".length()) + "/" + rows.getString(2));
        }
        Set<String> lost = new java.util.TreeSet<>(acknowledged);
        lost.removeAll(stored);
        assertEquals(Set.of(), lost, "acknowledged XComs missing from the database");
        assertTrue(acknowledged.size() >= SUPERVISORS * 20, "only " + acknowledged.size() + " writes were made");
      }
    } finally {
      sessions.forEach(TaskSession::close);
      adminChannel.shutdownNow();
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      return "(no log)";
    }
  }
}

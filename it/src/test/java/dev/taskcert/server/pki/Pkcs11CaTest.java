package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.EmbeddedDatabase;
import dev.taskcert.pki.cli.CaCli;
import dev.taskcert.pki.pem.Pem;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.RegisterTeamRequest;
import dev.taskcert.server.cli.ServerCli;
import dev.taskcert.server.secret.SecretBox;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.ChildJvm;
import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.server.testing.SoftHsm;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intermediate's key in a PKCS#11 token (SoftHSM2), end to end: {@code taskcert-ca init}
 * generates it in the token and leaves no key file in the CA directory; a server started on that
 * CA issues task certificates (and its own TLS certificate) by signing in the token, which a task
 * enrolling over real TLS and calling over mutual TLS shows; the certificates verify with the
 * token key's public half; {@code rotate-intermediate} into a new token key is picked up by the
 * running server. The CLI and the server run in child JVMs, which load SoftHSM2 with their own
 * SOFTHSM2_CONF.
 */
class Pkcs11CaTest {
  private static final String DOMAIN = "hsm.example";
  private static final String CA_CLI = CaCli.class.getName();
  private static final String SERVER_CLI = ServerCli.class.getName();

  @TempDir Path work;
  private Process server;
  private EmbeddedDatabase database;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  void aServerSignsInTheTokenAndPicksUpARotationIntoANewTokenKey() throws Exception {
    SoftHsm token = SoftHsm.create(work.resolve("hsm"), "taskcert-ca", "1234-pin");
    Path passphrase = secret("passphrase", "the root key's passphrase");
    Path ca = work.resolve("ca");
    Path root = work.resolve("root");
    ChildJvm.succeed(token.environment(), CA_CLI, "init", "--ca-dir", ca.toString(), "--trust-domain", DOMAIN,
        "--passphrase-file", passphrase.toString(), "--root-key-out", root.toString(),
        "--pkcs11-config", token.pkcs11Config().toString(), "--pkcs11-pin-file", token.pinFile().toString(),
        "--key-label", "intermediate-1");
    assertNoPrivateKeyIn(ca);
    assertEquals("intermediate-1", label(ca));
    X509Certificate first = intermediate(ca);
    assertTokenKeyBelongsTo(token, "intermediate-1", first.getPublicKey());

    ChildJvm.succeed(token.environment(), CA_CLI, "issue", "--ca-dir", ca.toString(), "--name", "hsm-operator",
        "--out", work.resolve("operator").toString(),
        "--pkcs11-config", token.pkcs11Config().toString(), "--pkcs11-pin-file", token.pinFile().toString());
    List<X509Certificate> operatorChain =
        Pem.parseCertificates(Files.readString(work.resolve("operator/hsm-operator.pem")));
    operatorChain.get(0).verify(first.getPublicKey());

    // A CRL is signed in the token as well.
    Path crlFile = work.resolve("revoked.crl");
    ChildJvm.succeed(token.environment(), CA_CLI, "crl", "--ca-dir", ca.toString(), "--serial", "1234",
        "--out", crlFile.toString(), "--der",
        "--pkcs11-config", token.pkcs11Config().toString(), "--pkcs11-pin-file", token.pinFile().toString());
    java.security.cert.X509CRL crl = (java.security.cert.X509CRL) java.security.cert.CertificateFactory
        .getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(Files.readAllBytes(crlFile)));
    crl.verify(first.getPublicKey());
    assertEquals(new java.math.BigInteger("1234", 16), crl.getRevokedCertificates().iterator().next().getSerialNumber());

    database = EmbeddedDatabase.start(work.resolve("pg"));
    int execution = FreePorts.next();
    int enrollment = FreePorts.next();
    int metrics = FreePorts.next();
    Path config = serverConfig(ca, token, execution, enrollment, metrics);
    server = ChildJvm.start(token.environment(), work.resolve("server.log"), SERVER_CLI, "serve", "--config", config.toString());
    awaitReady(metrics);

    List<X509Certificate> roots = Pem.parseCertificates(Files.readString(ca.resolve("bundle.pem")));
    PrivateKey operatorKey = Pem.parsePrivateKey(Files.readString(work.resolve("operator/hsm-operator-key.pem")));
    ManagedChannel adminChannel = ClientTls.mutualTlsChannel("localhost:" + execution, new TaskCredentials(
        operatorKey, operatorChain, roots, "", operatorChain.get(0).getSerialNumber().toString(16),
        operatorChain.get(0).getNotAfter().toInstant()));
    try {
      AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(60, TimeUnit.SECONDS);
      admin.registerTeam(RegisterTeamRequest.newBuilder().setName("hsm-team").build());
      admin.registerDagBundle(RegisterDagBundleRequest.newBuilder().setName("hsm-bundle").setTeam("hsm-team").build());
      admin.registerDag(RegisterDagRequest.newBuilder().setDagId("hsm_dag").setBundle("hsm-bundle").build());
      admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId("hsm_dag").setRunId("manual__hsm").build());
      SupervisorConfig supervisor = new SupervisorConfig(
          "localhost:" + execution, "localhost:" + enrollment, roots, Duration.ofSeconds(30));

      X509Certificate leaf = enrollAndCall(admin, supervisor, "before_rotation");
      leaf.verify(first.getPublicKey());
      assertEquals(first.getSubjectX500Principal(), leaf.getIssuerX500Principal());

      ChildJvm.succeed(token.environment(), CA_CLI, "rotate-intermediate", "--ca-dir", ca.toString(),
          "--root-key-dir", root.toString(), "--passphrase-file", passphrase.toString(),
          "--pkcs11-config", token.pkcs11Config().toString(), "--pkcs11-pin-file", token.pinFile().toString(),
          "--key-label", "intermediate-2");
      assertNoPrivateKeyIn(ca);
      assertEquals("intermediate-2", label(ca));
      X509Certificate second = intermediate(ca);
      assertNotEquals(first.getPublicKey(), second.getPublicKey());
      assertTokenKeyBelongsTo(token, "intermediate-2", second.getPublicKey());

      String serial = second.getSerialNumber().toString(16);
      Await.until("the server reloads the rotated intermediate", Duration.ofSeconds(60), () -> {
        assertFalse(log().contains("cannot be loaded"), log());
        return log().contains("-> " + serial);
      });
      X509Certificate rotated = enrollAndCall(admin, supervisor, "after_rotation");
      rotated.verify(second.getPublicKey());
      assertEquals(second.getSubjectX500Principal(), rotated.getIssuerX500Principal());
    } finally {
      adminChannel.shutdownNow();
    }
  }

  @Test
  void aWrongPinStopsTheServerWithOneLine() throws Exception {
    SoftHsm token = SoftHsm.create(work.resolve("hsm"), "taskcert-ca", "1234-pin");
    Path ca = work.resolve("ca");
    ChildJvm.succeed(token.environment(), CA_CLI, "init", "--ca-dir", ca.toString(), "--trust-domain", DOMAIN,
        "--no-passphrase", "--root-key-out", work.resolve("root").toString(),
        "--pkcs11-config", token.pkcs11Config().toString(), "--pkcs11-pin-file", token.pinFile().toString(),
        "--key-label", "intermediate-1");
    Path wrongPin = secret("wrong-pin", "9999-pin");
    Path config = serverConfig(ca, token, FreePorts.next(), FreePorts.next(), -1);
    Files.writeString(config, Files.readString(config).replace(token.pinFile().toString(), wrongPin.toString()));

    ChildJvm.Result result = ChildJvm.run(token.environment(), SERVER_CLI, "serve", "--config", config.toString());
    assertEquals(1, result.exit(), result.toString());
    List<String> lines = result.err().lines().filter(line -> !line.isBlank()).toList();
    assertEquals(1, lines.size(), result.toString());
    String error = lines.get(0);
    assertTrue(error.startsWith("error: ca.pkcs11_config: wrong PIN") && error.contains(wrongPin.toString())
        && error.contains("CKR_PIN_INCORRECT"), error);
  }

  /** Queues a try, enrolls it over TLS, makes a mutual-TLS call with its certificate; returns that certificate. */
  private static X509Certificate enrollAndCall(
      AdminGrpc.AdminBlockingStub admin, SupervisorConfig supervisor, String taskId) throws Exception {
    String enrollmentToken = admin.queueTaskInstance(QueueTaskInstanceRequest.newBuilder().setDagId("hsm_dag")
        .setRunId("manual__hsm").setTaskId(taskId).setMapIndex(-1).setMaxTries(1).build()).getEnrollmentToken();
    try (TaskSession session = TaskSession.open(supervisor, enrollmentToken, new SecureRandom())) {
      session.client().startTask("hsm-worker", 4242, "airflow");
      session.client().heartbeat("hsm-worker", 4242);
      return session.credentials().chain().get(0);
    }
  }

  /** Signs a probe with the token's key (outside the CA code) and checks it against {@code publicKey}. */
  private static void assertTokenKeyBelongsTo(SoftHsm token, String label, PublicKey publicKey) throws Exception {
    String message = "which key is this";
    ChildJvm.Result result = ChildJvm.succeed(token.environment(), TokenSignature.class.getName(),
        token.pkcs11Config().toString(), token.pinFile().toString(), label, message);
    assertTrue(result.out().contains("encoded=false"), "the token let the key out: " + result);
    String signature = result.out().lines().filter(line -> line.startsWith("signature=")).findFirst()
        .orElseThrow(() -> new AssertionError(result.toString())).substring("signature=".length());
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(publicKey);
    verifier.update(message.getBytes(StandardCharsets.UTF_8));
    assertTrue(verifier.verify(Base64.getDecoder().decode(signature)), "the token's key '" + label
        + "' is not the private half of the intermediate certificate's key");
  }

  private static void assertNoPrivateKeyIn(Path ca) throws Exception {
    assertFalse(Files.exists(ca.resolve("intermediate-key.pem")));
    try (Stream<Path> files = Files.list(ca)) {
      for (Path file : files.toList()) {
        assertFalse(Files.readString(file, StandardCharsets.ISO_8859_1).contains("PRIVATE KEY"), file.toString());
      }
    }
  }

  private static String label(Path ca) throws Exception {
    return Files.readAllLines(ca.resolve("intermediate-key.pkcs11")).stream()
        .filter(line -> line.startsWith("pkcs11.label=")).findFirst().orElseThrow().substring("pkcs11.label=".length());
  }

  private static X509Certificate intermediate(Path ca) throws Exception {
    return Pem.parseCertificates(Files.readString(ca.resolve("intermediate.pem"))).get(0);
  }

  private Path serverConfig(Path ca, SoftHsm token, int execution, int enrollment, int metrics) throws Exception {
    Path secretKey = work.resolve("secret.key");
    if (!Files.exists(secretKey)) {
      SecretBox.loadOrCreate(secretKey, new SecureRandom());
    }
    String url = database == null ? "jdbc:postgresql://127.0.0.1:1/none" : database.jdbcUrl().replaceFirst("\\?.*$", "");
    String user = database == null ? "none" : database.user();
    List<String> lines = new ArrayList<>(List.of(
        "trust_domain=" + DOMAIN,
        "execution_port=" + execution,
        "enrollment_port=" + enrollment,
        "metrics_port=" + metrics,
        "ca_directory=" + ca,
        "ca.pkcs11_config=" + token.pkcs11Config(),
        "ca.pkcs11_pin_file=" + token.pinFile(),
        "ca.reload_interval=PT1S",
        "secret_key_file=" + secretKey,
        "database.url=" + url,
        "database.user=" + user));
    Path config = work.resolve("server.properties");
    Files.writeString(config, String.join("\n", lines) + "\n");
    return config;
  }

  private Path secret(String name, String content) throws Exception {
    Path file = work.resolve(name);
    Files.writeString(file, content + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private void awaitReady(int metrics) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Await.until("the server is ready", Duration.ofSeconds(180), () -> {
      if (!server.isAlive()) {
        throw new AssertionError("the server exited: " + log());
      }
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/readyz"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  private String log() {
    try {
      return Files.readString(work.resolve("server.log"));
    } catch (Exception e) {
      return "(no log)";
    }
  }
}

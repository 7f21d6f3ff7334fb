package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.pki.ca.CaHierarchy;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.pki.issuance.CertificateIssuer;
import dev.taskcert.pki.issuance.IssuancePolicy;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.config.ServerConfigLoader;
import dev.taskcert.dev.DemoData;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Health, reflection and metrics, on a server started from a configuration file. */
class OperationsTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();
  private static ServerRuntime fromFile;

  @BeforeAll
  static void start() throws Exception {
    ServerConfig dev = env.dev().config();
    Path file = Files.createTempFile("taskcert", ".properties");
    Files.writeString(file, String.join("\n",
        "trust_domain=" + dev.trustDomain().name(),
        "execution_port=0",
        "enrollment_port=0",
        "metrics_port=7000",
        "ca_directory=" + dev.caDirectory(),
        "ca.allow_unencrypted_key=true",
        "secret_key_file=" + dev.secretKeyFile(),
        "database.url=" + dev.database().jdbcUrl(),
        "database.user=" + dev.database().user(),
        "cache.ttl=PT1S", ""));
    ServerConfig config = new ServerConfigLoader(Map.of("TASKCERT_METRICS_PORT", "0")).load(file);
    Files.delete(file);
    fromFile = ServerRuntime.start(config, env.clock);
  }

  @AfterAll
  static void stop() throws Exception {
    fromFile.close();
  }

  private static ManagedChannel enrollmentChannel() throws Exception {
    return ClientTls.serverAuthChannel("localhost:" + fromFile.enrollmentPort(), env.supervisorConfig().trustRoots());
  }

  @Test
  void reportsServingOnTheHealthServiceWithoutAClientCertificate() throws Exception {
    ManagedChannel channel = enrollmentChannel();
    try {
      HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void servesNoReflectionUnlessConfigured() throws Exception {
    ManagedChannel channel = enrollmentChannel();
    try {
      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
          .serverReflectionInfo(new StreamObserver<>() {
            @Override public void onNext(ServerReflectionResponse value) { answer.complete(value); }
            @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
            @Override public void onCompleted() { }
          });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      java.util.concurrent.ExecutionException failed =
          assertThrows(java.util.concurrent.ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS));
      assertEquals(io.grpc.Status.Code.UNIMPLEMENTED, io.grpc.Status.fromThrowable(failed.getCause()).getCode());
    } finally {
      channel.shutdownNow();
    }
  }

  /** Dev mode turns reflection on (grpc.reflection=true). */
  @Test
  void listsServicesThroughReflectionWhenConfigured() throws Exception {
    ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
    try {
      CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
          .serverReflectionInfo(new StreamObserver<>() {
            @Override public void onNext(ServerReflectionResponse value) { answer.complete(value); }
            @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
            @Override public void onCompleted() { }
          });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList()
          .stream().map(service -> service.getName()).toList();
      requests.onCompleted();
      assertTrue(services.contains("taskcert.ca.v1.Enrollment"), services.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void exportsRpcAuditAndHandshakeMetrics() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      ManagedChannel channel = ClientTls.mutualTlsChannel("localhost:" + fromFile.executionPort(), task.session().credentials());
      try {
        VariablesGrpc.VariablesBlockingStub variables = VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        variables.getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build());
        assertThrows(StatusRuntimeException.class, () ->
            variables.getVariable(GetVariableRequest.newBuilder().setKey("payments_api_url").build()));
      } finally {
        channel.shutdownNow();
      }
    }
    // Each refusal is logged with its reason, at most once a minute per reason.
    ch.qos.logback.classic.Logger refusalLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(HandshakeRefusals.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    refusalLog.addAppender(logged);
    // A certificate from a CA the server does not trust fails the handshake.
    SecureRandom random = new SecureRandom();
    CaHierarchy foreign = CaHierarchy.create(DevEnvironment.TRUST_DOMAIN, KeyAlgorithm.EC_P256, env.clock.instant(), random);
    KeyPair keys = KeyAlgorithm.EC_P256.generate(random);
    SpiffeIdCodec codec = new SpiffeIdCodec(DevEnvironment.TRUST_DOMAIN);
    IssuedCertificate forged = new CertificateIssuer(foreign.intermediate(), codec, IssuancePolicy.DEFAULT, random)
        .issueClient(keys.getPublic(), new dev.taskcert.pki.identity.AdminIdentity("intruder"), env.clock.instant());
    ManagedChannel intruder = ClientTls.mutualTlsChannel("localhost:" + fromFile.executionPort(), new TaskCredentials(
        keys.getPrivate(), forged.chain(), env.supervisorConfig().trustRoots(), forged.spiffeId(), forged.serialHex(),
        forged.notAfter()));
    try {
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(intruder)
          .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
      assertTrue(Statuses.causeMessages(refused).contains("unknown_ca"), "the client is told its CA is unknown: " + Statuses.causeMessages(refused));
    } finally {
      intruder.shutdownNow();
    }

    // A leaf of our own CA sent without its intermediate: the operator sees why.
    TaskCredentials own = env.credentialsFor(new dev.taskcert.pki.identity.AdminIdentity("forgetful"));
    for (int attempt = 0; attempt < 2; attempt++) {
      ManagedChannel leafOnly = ClientTls.mutualTlsChannel("localhost:" + fromFile.executionPort(), new TaskCredentials(
          own.privateKey(), own.chain().subList(0, 1), own.trustRoots(), own.spiffeId(), own.serialHex(), own.notAfter()));
      try {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(leafOnly)
            .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
        assertTrue(Statuses.causeMessages(refused).contains("unknown_ca"), "a leaf without its intermediate leads to no known CA: "
            + Statuses.causeMessages(refused));
      } finally {
        leafOnly.shutdownNow();
      }
    }
    refusalLog.detachAppender(logged);
    List<String> refusals = logged.list.stream().map(event -> event.getFormattedMessage())
        .filter(line -> line.startsWith("refused a client certificate at the TLS handshake: ")).toList();
    assertEquals(1, refusals.stream().filter(line -> line.contains(": the client sent its leaf without the intermediate")
        && line.contains("serial " + own.serialHex())).count(), "one line for two refusals within a minute: " + refusals);
    assertEquals(1, refusals.stream().filter(line -> line.contains("does not lead to a root of the trust bundle")
        && line.contains("serial " + forged.serialHex())).count(), refusals.toString());

    // A client with no certificate at all is refused by BoringSSL before verification: only a
    // negotiation failure, which no reason accounts for.
    ManagedChannel anonymous = ClientTls.serverAuthChannel("localhost:" + fromFile.executionPort(),
        env.supervisorConfig().trustRoots());
    try {
      assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(anonymous)
          .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
    } finally {
      anonymous.shutdownNow();
    }

    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fromFile.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    String body = metrics.body();
    assertTrue(body.contains("taskcert_rpc_total{code=\"OK\",method=\"taskcert.execution.v1.Variables/GetVariable\"}"), body);
    assertTrue(body.contains("taskcert_rpc_total{code=\"NOT_FOUND\",method=\"taskcert.execution.v1.Variables/GetVariable\"}"), body);
    assertTrue(body.contains("taskcert_audit_events_total{kind=\"deny\"}"), body);
    assertTrue(body.contains("taskcert_denials_total{kind=\"deny\",resource_type=\"variable\"}"), body);
    assertTrue(body.contains("taskcert_tls_handshake_failures_total{port=\"execution\",reason=\"untrusted_issuer\"} 1.0"), body);
    assertTrue(body.contains("taskcert_tls_handshake_failures_total{port=\"execution\",reason=\"no_intermediate\"} 2.0"),
        "both refusals counted, though one was logged: " + body);
    // Every failed handshake, the certificate-less one included, is counted as a negotiation failure.
    String negotiation = body.lines().filter(line -> line.startsWith("taskcert_tls_negotiation_failures_total "))
        .findFirst().orElseThrow(() -> new AssertionError(body));
    assertTrue(Double.parseDouble(negotiation.substring(negotiation.indexOf(' ') + 1)) >= 3, negotiation);
    assertTrue(body.contains("taskcert_cache_task_instance_hit_ratio"), body);
    assertTrue(body.contains("taskcert_cache_revocation_entries"), body);
    assertTrue(body.contains("taskcert_build_info{version="), body);
    assertTrue(body.contains("jvm_memory_used_bytes"), body);
    assertTrue(body.contains("taskcert_db_pool_connections{state=\"total\"}"), body);
    for (String certificate : List.of("root", "intermediate", "server")) {
      assertTrue(body.contains("taskcert_certificate_expiry_seconds{certificate=\"" + certificate + "\"}"), body);
    }
  }

  @Test
  void answersLivenessAndReadinessProbesOverPlainHttp() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/livez", "/readyz")) {
      HttpResponse<String> probe = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + fromFile.metricsPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, probe.statusCode(), path + ": " + probe.body());
    }
    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + fromFile.metricsPort() + "/nothing")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode());
  }
}

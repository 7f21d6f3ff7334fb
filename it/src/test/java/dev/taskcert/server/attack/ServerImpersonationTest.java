package dev.taskcert.server.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.testing.Statuses;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Task and admin certificates carry the serverAuth EKU too (X.509-SVID §4.4), so a stolen one
 * chains to the bundle as a server certificate would. Clients must still refuse it as the server:
 * they check the server's own identity (its DNS name or IP address, which no task or admin
 * certificate carries), not just a chain to the bundle. A look-alike server on loopback presents
 * such a certificate; the supervisor's and the admin tool's client refuses it at the handshake.
 */
class ServerImpersonationTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  /** Health over a server-auth channel to a look-alike server presenting {@code chain}. */
  private static HealthCheckResponse.ServingStatus askLookAlike(PrivateKey key, List<X509Certificate> chain)
      throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    Server lookAlike = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sslContext(GrpcSslContexts.configure(
            SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))).build())
        .addService(health.getHealthService())
        .build().start();
    ManagedChannel channel = ClientTls.serverAuthChannel("localhost:" + lookAlike.getPort(),
        env.supervisorConfig().trustRoots());
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      lookAlike.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTaskOrAdminCertificatePresentedAsTheServerIsRefusedByTheClient() throws Exception {
    DemoData.DemoTask demo = DemoData.ANALYTICS;
    TaskCredentials task = env.credentialsFor(new TaskIdentity(demo.dagId(), DemoData.RUN_ID, demo.taskId(), -1, 1));
    assertTrue(task.chain().get(0).getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "task leaves carry serverAuth");
    Status refused = Statuses.statusOf(() -> askLookAlike(task.privateKey(), task.chain()));
    assertEquals(Status.Code.UNAVAILABLE, refused.getCode(), refused.toString());

    TaskCredentials admin = env.credentialsFor(new AdminIdentity("ops-alice"));
    assertEquals(Status.Code.UNAVAILABLE, Statuses.codeOf(() -> askLookAlike(admin.privateKey(), admin.chain())));

    // The same look-alike with a certificate for the server's own name is accepted: the refusals
    // above are about the identity, not the test's server.
    KeyPair keys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    IssuedCertificate server = env.instance(CaState.class).current().issuer().issueServer(keys.getPublic(),
        List.of("localhost"), List.of(), env.clock.instant(), Duration.ofHours(1));
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, askLookAlike(keys.getPrivate(), server.chain()));
  }
}

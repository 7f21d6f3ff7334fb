package dev.taskcert.server.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The server reissues its own TLS certificate once half its lifetime has passed, without a restart
 * and without any change of the CA files: a new TLS connection then sees a new certificate, issued
 * by the same intermediate, that clients accept.
 */
class ServerCertificateRenewalTest {
  private static final Duration LIFETIME = Duration.ofSeconds(20);

  /** The certificate a fresh TLS connection (no session to resume) to {@code port} is shown. */
  private static X509Certificate serverCertificate(int port, List<X509Certificate> roots) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (int i = 0; i < roots.size(); i++) {
      store.setCertificateEntry("root-" + i, roots.get(i));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2"});
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void aNewConnectionSeesANewServerCertificateAfterHalfItsLifetime() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder.serverCertificateLifetime(LIFETIME)).started()) {
      List<X509Certificate> roots = env.supervisorConfig().trustRoots();
      int port = env.dev().runtime().enrollmentPort();
      X509Certificate first = serverCertificate(port, roots);
      assertEquals(env.instance(CaState.class).current().server().chain().get(0), first);

      env.clock.advance(LIFETIME.dividedBy(2).plusSeconds(1));
      AtomicReference<X509Certificate> seen = new AtomicReference<>();
      Await.until("a new connection sees a reissued server certificate", Duration.ofSeconds(30), () -> {
        try {
          seen.set(serverCertificate(port, roots));
        } catch (Exception e) {
          throw new AssertionError("TLS connection failed", e);
        }
        return !seen.get().equals(first);
      });
      X509Certificate second = seen.get();
      assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
      assertNotEquals(first.getPublicKey(), second.getPublicKey(), "a new key, too");
      assertEquals(first.getIssuerX500Principal(), second.getIssuerX500Principal());
      assertEquals(env.instance(CaState.class).current().server().chain().get(0), second);

      ManagedChannel channel = ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), roots);
      try {
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}

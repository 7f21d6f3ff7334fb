package dev.taskcert.server.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.pki.ca.CertificateFingerprint;
import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.server.pki.CaState;
import dev.taskcert.server.testing.Await;
import dev.taskcert.server.testing.CaCommands;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A TLS session resumed after its client's root was removed from the trust bundle: resumption
 * skips verification of the client's chain, so the server checks on every connection that the
 * chain still leads to a root it trusts now. The client here keeps one TLS context, and so its
 * session, across two connections, as a long-running client would across a reconnect.
 */
class SessionResumptionTest {
  private static Status.Code listAudit(ManagedChannel channel) {
    try {
      AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(1).build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Test
  void aSessionResumedAfterItsRootWasRemovedIsRefused() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder.caReloadInterval(Duration.ofMillis(200)))
        .started()) {
      String caDir = env.dev().config().caDirectory().toString();
      X509Certificate oldRoot = env.instance(CaState.class).current().bundle().roots().get(0);
      TaskCredentials operator = env.credentialsFor(new AdminIdentity("resuming-operator"));
      SslContext clientContext = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.OPENSSL)
          .keyManager(operator.privateKey(), operator.chain().toArray(new X509Certificate[0]))
          .trustManager(operator.trustRoots().toArray(new X509Certificate[0]))
          .build();

      ManagedChannel first = NettyChannelBuilder.forTarget(env.dev().executionTarget()).sslContext(clientContext).build();
      try {
        assertEquals(Status.Code.OK, listAudit(first));
      } finally {
        first.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }

      // The operator's root leaves the bundle: a new root, the intermediate under it, the old root removed.
      Path newRootDir = Files.createTempDirectory("taskcert-new-root");
      Files.delete(newRootDir);
      CaCommands.run("rotate-root", "--ca-dir", caDir, "--root-key-out", newRootDir.toString(), "--no-passphrase");
      CaCommands.run("rotate-intermediate", "--ca-dir", caDir, "--root-key-dir", newRootDir.toString(), "--no-passphrase");
      CaCommands.run("bundle", "remove", "--ca-dir", caDir, CertificateFingerprint.of(oldRoot).hex());
      Await.until("the server trusts only the new root", Duration.ofSeconds(20), () -> {
        var roots = env.instance(CaState.class).current().bundle().roots();
        return roots.size() == 1 && !roots.get(0).equals(oldRoot);
      });

      // A full handshake fails (each side distrusts the other's new chain); a resumed session must fail too.
      ManagedChannel second = NettyChannelBuilder.forTarget(env.dev().executionTarget()).sslContext(clientContext).build();
      try {
        // UNAVAILABLE would mean a full handshake (refused in TLS); UNAUTHENTICATED means the session
        // resumed and the server refused its chain, which is the case this test is for.
        assertEquals(Status.Code.UNAUTHENTICATED, listAudit(second),
            "a certificate under a removed root must not be accepted on a resumed session");
      } finally {
        second.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}

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
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.util.ArrayList;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.util.List;
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

  /** A key manager presenting {@code chain} exactly as given (a key store would refuse its order). */
  private static X509ExtendedKeyManager presenting(PrivateKey key, List<X509Certificate> chain) {
    return new X509ExtendedKeyManager() {
      @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {"client"}; }
      @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return "client"; }
      @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) { return "client"; }
      @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
      @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
      @Override public X509Certificate[] getCertificateChain(String alias) { return chain.toArray(new X509Certificate[0]); }
      @Override public PrivateKey getPrivateKey(String alias) { return key; }
    };
  }

  /**
   * The same, but the client sent the new root after its old chain from the start. The server
   * must judge the root its path was verified to (the removed one), not the last certificate sent.
   */
  @Test
  void aSessionResumedAfterItsRootWasRemovedIsRefusedEvenWithTheNewRootAppended() throws Exception {
    try (TestEnvironment env = new TestEnvironment(builder -> builder.caReloadInterval(Duration.ofMillis(200)))
        .started()) {
      String caDir = env.dev().config().caDirectory().toString();
      X509Certificate oldRoot = env.instance(CaState.class).current().bundle().roots().get(0);
      TaskCredentials operator = env.credentialsFor(new AdminIdentity("appending-operator"));

      // Step one of a root rollover: both roots are trusted.
      Path newRootDir = Files.createTempDirectory("taskcert-new-root");
      Files.delete(newRootDir);
      CaCommands.run("rotate-root", "--ca-dir", caDir, "--root-key-out", newRootDir.toString(), "--no-passphrase");
      Await.until("the server trusts both roots", Duration.ofSeconds(20),
          () -> env.instance(CaState.class).current().bundle().roots().size() == 2);
      X509Certificate newRoot = env.instance(CaState.class).current().bundle().roots().stream()
          .filter(root -> !root.equals(oldRoot)).findFirst().orElseThrow();

      List<X509Certificate> appended = new ArrayList<>(operator.chain());
      appended.add(newRoot);
      SslContext clientContext = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.OPENSSL)
          .keyManager(new KeyManagerFactoryWrapper(presenting(operator.privateKey(), appended)))
          .trustManager(oldRoot, newRoot)
          .build();
      ManagedChannel first = NettyChannelBuilder.forTarget(env.dev().executionTarget()).sslContext(clientContext).build();
      try {
        assertEquals(Status.Code.OK, listAudit(first), "the chain verifies to the old root while it is trusted");
      } finally {
        first.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }

      CaCommands.run("rotate-intermediate", "--ca-dir", caDir, "--root-key-dir", newRootDir.toString(), "--no-passphrase");
      CaCommands.run("bundle", "remove", "--ca-dir", caDir, CertificateFingerprint.of(oldRoot).hex());
      Await.until("the server trusts only the new root", Duration.ofSeconds(20),
          () -> env.instance(CaState.class).current().bundle().roots().equals(List.of(newRoot)));

      ManagedChannel second = NettyChannelBuilder.forTarget(env.dev().executionTarget()).sslContext(clientContext).build();
      try {
        assertEquals(Status.Code.UNAUTHENTICATED, listAudit(second),
            "a chain verified to a removed root must not pass because a trusted root was appended to it");
      } finally {
        second.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}

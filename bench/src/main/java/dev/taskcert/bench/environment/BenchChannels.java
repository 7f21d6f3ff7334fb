package dev.taskcert.bench.environment;

import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Client channels for the load generators. Every variant is built the same way (callbacks on the
 * transport thread, the same TLS settings as the supervisor library's {@code ClientTls}) so that
 * they differ only in how the caller is authenticated.
 */
public final class BenchChannels {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private BenchChannels() {}

  /** Plaintext HTTP/2. */
  public static ManagedChannel plaintext(String target) {
    return NettyChannelBuilder.forTarget(target).directExecutor().usePlaintext().build();
  }

  /** TLS with server authentication only. */
  public static ManagedChannel serverAuthTls(String target, List<X509Certificate> trustRoots) {
    return tls(target, clientContext(trustRoots));
  }

  /** Mutual TLS presenting {@code credentials}. */
  public static ManagedChannel mutualTls(String target, TaskCredentials credentials) {
    return tls(target, clientContext(credentials));
  }

  /**
   * The client TLS context a supervisor builds for {@code credentials}: the server's chain checked
   * as the supervisor library checks it, with the signature provider in force.
   */
  public static SslContextBuilder clientContextBuilder(List<X509Certificate> trustRoots, SslProvider provider) {
    return GrpcSslContexts.configure(SslContextBuilder.forClient(), provider)
        .protocols(PROTOCOLS)
        .trustManager(ClientTls.trustManagers(trustRoots, SupervisorConfig.defaultSignatureProvider()));
  }

  private static SslContext clientContext(TaskCredentials credentials) {
    return build(clientContextBuilder(credentials.trustRoots(), SslProvider.OPENSSL)
        .keyManager(credentials.privateKey(), credentials.chain().toArray(new X509Certificate[0])));
  }

  private static SslContext clientContext(List<X509Certificate> trustRoots) {
    return build(clientContextBuilder(trustRoots, SslProvider.OPENSSL));
  }

  private static SslContext build(SslContextBuilder builder) {
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a client TLS context: " + e.getMessage(), e);
    }
  }

  private static ManagedChannel tls(String target, SslContext context) {
    return NettyChannelBuilder.forTarget(target).directExecutor().sslContext(context).build();
  }
}

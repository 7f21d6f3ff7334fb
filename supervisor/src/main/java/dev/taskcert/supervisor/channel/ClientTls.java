package dev.taskcert.supervisor.channel;

import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Client channels over netty-tcnative when available (the JDK provider otherwise): TLS 1.3/1.2,
 * the server verified against the trust roots and its host name. A target may name one server
 * ({@code host:port}) or several replicas ({@code host:port,host:port}), which are then called
 * round robin ({@link ReplicaList}).
 */
public final class ClientTls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ClientTls() {}

  /** A channel that authenticates the server only (for enrollment). */
  public static ManagedChannel serverAuthChannel(String target, List<X509Certificate> trustRoots) {
    return channel(target, builder(trustRoots));
  }

  /** A mutual-TLS channel that presents {@code credentials}. */
  public static ManagedChannel mutualTlsChannel(String target, TaskCredentials credentials) {
    SslContextBuilder builder =
        builder(credentials.trustRoots())
            .keyManager(credentials.privateKey(), credentials.chain().toArray(new X509Certificate[0]));
    return channel(target, builder);
  }

  private static SslContextBuilder builder(List<X509Certificate> trustRoots) {
    SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    return GrpcSslContexts.configure(SslContextBuilder.forClient(), provider)
        .protocols(PROTOCOLS)
        .trustManager(trustRoots.toArray(new X509Certificate[0]));
  }

  private static ManagedChannel channel(String target, SslContextBuilder builder) {
    SslContext context;
    try {
      context = builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
    }
    if (ReplicaList.isList(target)) {
      ReplicaList replicas = ReplicaList.parse(target);
      return NettyChannelBuilder.forTarget(replicas.target())
          .nameResolverFactory(replicas)
          .defaultLoadBalancingPolicy("round_robin")
          .overrideAuthority(replicas.authority())
          .sslContext(context)
          .build();
    }
    return NettyChannelBuilder.forTarget(target).sslContext(context).build();
  }
}

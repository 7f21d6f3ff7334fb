package dev.taskcert.supervisor.channel;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.supervisor.SupervisorConfig;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Client channels over netty-tcnative when available (the JDK provider otherwise): TLS 1.3/1.2,
 * the server verified against the trust roots and its host name by the JDK's PKIX trust manager,
 * the chain's signatures checked by a {@link SignatureProvider} (the one given, or {@link
 * SupervisorConfig#defaultSignatureProvider}). A target may name one server
 * ({@code host:port}) or several replicas ({@code host:port,host:port}), which are then called
 * round robin ({@link ReplicaList}).
 */
public final class ClientTls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ClientTls() {}

  /** A channel that authenticates the server only (for enrollment). */
  public static ManagedChannel serverAuthChannel(String target, List<X509Certificate> trustRoots) {
    return serverAuthChannel(target, trustRoots, SupervisorConfig.defaultSignatureProvider());
  }

  /** A channel that authenticates the server only, its chain checked by {@code signatures}' provider. */
  public static ManagedChannel serverAuthChannel(
      String target, List<X509Certificate> trustRoots, SignatureProvider signatures) {
    return channel(target, builder(trustRoots, signatures));
  }

  /** A mutual-TLS channel that presents {@code credentials}. */
  public static ManagedChannel mutualTlsChannel(String target, TaskCredentials credentials) {
    return mutualTlsChannel(target, credentials, SupervisorConfig.defaultSignatureProvider());
  }

  /** A mutual-TLS channel that presents {@code credentials}, the server's chain checked by {@code signatures}' provider. */
  public static ManagedChannel mutualTlsChannel(
      String target, TaskCredentials credentials, SignatureProvider signatures) {
    SslContextBuilder builder =
        builder(credentials.trustRoots(), signatures).keyManager(keyManagers(credentials));
    return channel(target, builder);
  }

  /**
   * The task's key and chain as a key manager whose material BoringSSL keeps in its own form once
   * converted, instead of having it encoded and parsed again at every handshake of the channel
   * (each reconnect, each replica): for callers that build their own TLS context.
   */
  public static KeyManagerFactory keyManagers(TaskCredentials credentials) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("task", credentials.privateKey(), KEY_PASSWORD,
          credentials.chain().toArray(new X509Certificate[0]));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, KEY_PASSWORD);
      return OpenSsl.isAvailable() ? new OpenSslCachingX509KeyManagerFactory(factory) : factory;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot hold the task's key for TLS: " + e.getMessage(), e);
    }
  }

  /** The in-memory key store's password: the store never leaves this process. */
  private static final char[] KEY_PASSWORD = new char[0];

  private static SslContextBuilder builder(List<X509Certificate> trustRoots, SignatureProvider signatures) {
    SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    return GrpcSslContexts.configure(SslContextBuilder.forClient(), provider)
        .protocols(PROTOCOLS)
        .trustManager(trustManagers(trustRoots, signatures));
  }

  /**
   * The JDK's PKIX trust manager over {@code trustRoots} (no revocation checks, as the JDK's
   * default for a key store of roots), its signatures checked by {@code signatures}' provider: the
   * check a supervisor makes of the server's chain, for callers that build their own TLS context.
   */
  public static TrustManagerFactory trustManagers(List<X509Certificate> trustRoots, SignatureProvider signatures) {
    Set<TrustAnchor> anchors = new HashSet<>();
    trustRoots.forEach(root -> anchors.add(new TrustAnchor(root, null)));
    try {
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
      parameters.setRevocationEnabled(false);
      parameters.setSigProvider(signatures.certPathProvider());
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(new CertPathTrustManagerParameters(parameters));
      return factory;
    } catch (InvalidAlgorithmParameterException e) {
      throw new IllegalArgumentException("at least one trust root is required", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the trust manager: " + e.getMessage(), e);
    }
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

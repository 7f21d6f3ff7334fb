package dev.taskcert.server.grpc;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.server.metrics.ServerMetrics;
import dev.taskcert.server.pki.CaState;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the server's TLS contexts on netty-tcnative (BoringSSL): TLS 1.3 and 1.2 only, HTTP/2
 * ciphers only; mutual TLS against the trust bundle on the execution port, server authentication
 * only on the enrollment port. Key and trust material are read from {@link CaState} at each
 * handshake, so a CA rotation takes effect for new connections without a restart.
 */
public final class TlsContexts {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /**
   * The TLS provider every context uses.
   *
   * @throws IllegalStateException if netty-tcnative cannot load on this platform
   */
  public static SslProvider requireOpenSsl() {
    if (!OpenSsl.isAvailable()) {
      throw new IllegalStateException(
          "netty-tcnative (BoringSSL) is not available on this platform", OpenSsl.unavailabilityCause());
    }
    return SslProvider.OPENSSL;
  }

  /** Logs which TLS implementation serves, once at start-up. */
  public static void logProvider() {
    log.info("TLS provider: {} ({}), netty-tcnative available: {}",
        SslProvider.OPENSSL, OpenSsl.versionString(), OpenSsl.isAvailable());
  }

  /**
   * Mutual TLS: the client must present a certificate chaining to a root of the bundle in force,
   * its chain's signatures checked by {@code signatures}' provider.
   */
  public static SslContext mutualTls(CaState state, HandshakeRefusals refusals, SignatureProvider signatures)
      throws SSLException {
    return withoutSessionCache(GrpcSslContexts.configure(
            SslContextBuilder.forServer(serverKeys(state)), requireOpenSsl())
        .protocols(PROTOCOLS)
        .trustManager(new CountingTrustManager(state::current, refusals, signatures))
        .clientAuth(ClientAuth.REQUIRE)
        .build());
  }

  /**
   * The server's key manager, its key material cached in BoringSSL's form by alias. Without the
   * cache every handshake would encode the key and chain and have BoringSSL parse them again; the
   * alias names the certificate's serial, so a renewed server certificate is a new entry, and
   * entries whose certificate has expired are dropped.
   */
  private static KeyManagerFactory serverKeys(CaState state) {
    return new OpenSslCachingX509KeyManagerFactory(new KeyManagerFactoryWrapper(new ServerKeyManager(state)));
  }

  /** Server authentication only, for enrollment by callers that have no certificate yet. */
  public static SslContext serverOnly(CaState state) throws SSLException {
    return withoutSessionCache(GrpcSslContexts.configure(
            SslContextBuilder.forServer(serverKeys(state)), requireOpenSsl())
        .protocols(PROTOCOLS)
        .clientAuth(ClientAuth.NONE)
        .build());
  }

  /**
   * Drops the server-side session cache, which would hold every connection's session for minutes
   * though supervisors keep their connections open. Clients can still resume with session tickets;
   * a resumed session skips verification of the client chain, which {@link TrustedChainFilter}
   * makes up for on every connection.
   */
  private static SslContext withoutSessionCache(SslContext context) {
    if (!(context instanceof ReferenceCountedOpenSslContext openSsl)) {
      throw new IllegalStateException("expected a BoringSSL context, got " + context.getClass().getName());
    }
    openSsl.sessionContext().setSessionCacheEnabled(false);
    return context;
  }
}

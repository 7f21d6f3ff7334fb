package dev.taskcert.bench.percall;

import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.TaskcertServer;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC server serving the Variables contract for the baselines, on a loopback port, built with
 * the same Netty transport, limits and executor as the real server; plaintext unless a TLS context
 * is given, and open to anyone unless an authentication interceptor is given.
 */
public final class BaselineServer implements AutoCloseable {
  private final Server server;

  private BaselineServer(Server server) {
    this.server = server;
  }

  /** Starts the server; {@code tls} may be {@code null} (plaintext) and {@code interceptors} empty. */
  public static BaselineServer start(Transactions transactions, SslContext tls, List<ServerInterceptor> interceptors)
      throws IOException {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .maxInboundMessageSize(TaskcertServer.MAX_INBOUND_MESSAGE_BYTES)
        .maxInboundMetadataSize(TaskcertServer.MAX_INBOUND_METADATA_BYTES)
        .maxConcurrentCallsPerConnection(256)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .maxConnectionIdle(30, TimeUnit.MINUTES)
        .addService(ServerInterceptors.intercept(new BaselineVariablesService(transactions), interceptors));
    if (tls != null) {
      builder.sslContext(tls);
    }
    return new BaselineServer(builder.build().start());
  }

  /** {@code 127.0.0.1:port}. */
  public String target() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }
}

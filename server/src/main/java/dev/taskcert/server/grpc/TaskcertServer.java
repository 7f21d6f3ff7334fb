package dev.taskcert.server.grpc;

import dev.taskcert.pki.ca.TrustBundle;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.pki.ServerCredentials;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two listening ports: the mutual-TLS execution port (every call authenticated by {@link
 * AuthenticationInterceptor}) and the enrollment port (TLS with server authentication only).
 */
public final class TaskcertServer {
  private static final Logger log = LoggerFactory.getLogger(TaskcertServer.class);
  /** Largest request message accepted, in bytes. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  private final ServerConfig config;
  private final ServerCredentials credentials;
  private final TrustBundle bundle;
  private final PeerIdentityFilter identityFilter;
  private final AuthenticationInterceptor authentication;
  private final Set<BindableService> executionServices;
  private final Set<BindableService> enrollmentServices;
  private Server execution;
  private Server enrollment;

  @Inject
  TaskcertServer(
      ServerConfig config,
      ServerCredentials credentials,
      TrustBundle bundle,
      PeerIdentityFilter identityFilter,
      AuthenticationInterceptor authentication,
      @ServicePorts.Execution Set<BindableService> executionServices,
      @ServicePorts.Enrollment Set<BindableService> enrollmentServices) {
    this.config = config;
    this.credentials = credentials;
    this.bundle = bundle;
    this.identityFilter = identityFilter;
    this.authentication = authentication;
    this.executionServices = executionServices;
    this.enrollmentServices = enrollmentServices;
  }

  /** Binds both ports and starts serving. */
  public synchronized void start() throws IOException {
    TlsContexts.logProvider();
    NettyServerBuilder executionBuilder =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.executionPort()))
            .sslContext(TlsContexts.mutualTls(credentials, bundle))
            .addTransportFilter(identityFilter)
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    executionServices.forEach(
        service -> executionBuilder.addService(ServerInterceptors.intercept(service, authentication)));
    NettyServerBuilder enrollmentBuilder =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.enrollmentPort()))
            .sslContext(TlsContexts.serverOnly(credentials))
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
    MethodNameInterceptor methodName = new MethodNameInterceptor();
    enrollmentServices.forEach(
        service -> enrollmentBuilder.addService(ServerInterceptors.intercept(service, methodName)));
    execution = executionBuilder.build().start();
    try {
      enrollment = enrollmentBuilder.build().start();
    } catch (IOException e) {
      execution.shutdownNow();
      throw e;
    }
    log.info("Serving the Execution API (mutual TLS) on {}:{} and enrollment (TLS) on {}:{}",
        config.bindAddress(), executionPort(), config.bindAddress(), enrollmentPort());
  }

  public int executionPort() {
    return execution.getPort();
  }

  public int enrollmentPort() {
    return enrollment.getPort();
  }

  /** Stops accepting calls, lets in-flight calls finish for up to {@code graceSeconds}, then closes. */
  public synchronized void stop(long graceSeconds) throws InterruptedException {
    for (Server server : new Server[] {enrollment, execution}) {
      if (server != null) {
        server.shutdown();
      }
    }
    for (Server server : new Server[] {enrollment, execution}) {
      if (server != null && !server.awaitTermination(graceSeconds, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    }
  }
}

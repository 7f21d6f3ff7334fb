package dev.taskcert.server.grpc;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.cache.InvalidationBus;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.metrics.Probes;
import dev.taskcert.server.metrics.ServerMetrics;
import dev.taskcert.server.pki.CertificateExpiry;
import dev.taskcert.server.pki.CaReloader;
import dev.taskcert.server.pki.CaState;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import dev.taskcert.server.authz.MethodRule;
import dev.taskcert.server.authz.MethodRules;
import java.util.ArrayList;
import java.util.List;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening ports: the mutual-TLS execution port (every call admitted by the {@link
 * FrontDoor}), the enrollment port (TLS with server authentication only), and,
 * when configured, a plain-HTTP Prometheus metrics port. Both gRPC ports serve the standard health
 * service, and server reflection only when {@code grpc.reflection=true}. Stopping drains in-flight
 * calls before closing.
 */
public final class TaskcertServer {
  private static final Logger log = LoggerFactory.getLogger(TaskcertServer.class);
  /** Largest request message accepted, in bytes. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;
  /** Largest request metadata accepted, in bytes. */
  public static final int MAX_INBOUND_METADATA_BYTES = 16 * 1024;

  private final ServerConfig config;
  private final CaState ca;
  private final CaReloader caReloader;
  private final PeerIdentityFilter identityFilter;
  private final TrustedChainFilter trustedChain;
  private final FrontDoor frontDoor;
  private final RefusalInterceptor refusals;
  private final MetricsInterceptor metricsInterceptor;
  private final Probes probes;
  private final HandshakeRefusals handshakeRefusals;
  private final CertificateExpiry expiry;
  private final ServerMetrics metrics;
  private final InvalidationBus invalidations;
  private final SignatureProvider signatures;
  private final Set<BindableService> executionServices;
  private final Set<BindableService> enrollmentServices;
  private final Set<AutoCloseable> enrollmentResources;
  private final HealthStatusManager health = new HealthStatusManager();
  private Server execution;
  private Server enrollment;
  private HTTPServer metricsServer;

  @Inject
  TaskcertServer(
      ServerConfig config,
      CaState ca,
      CaReloader caReloader,
      PeerIdentityFilter identityFilter,
      TrustedChainFilter trustedChain,
      FrontDoor frontDoor,
      RefusalInterceptor refusals,
      MetricsInterceptor metricsInterceptor,
      Probes probes,
      java.time.Clock clock,
      CertificateExpiry expiry,
      ServerMetrics metrics,
      InvalidationBus invalidations,
      SignatureProvider signatures,
      @ServicePorts.Execution Set<BindableService> executionServices,
      @ServicePorts.Enrollment Set<BindableService> enrollmentServices,
      @ServicePorts.Enrollment Set<AutoCloseable> enrollmentResources) {
    this.config = config;
    this.ca = ca;
    this.caReloader = caReloader;
    this.identityFilter = identityFilter;
    this.trustedChain = trustedChain;
    this.frontDoor = frontDoor;
    this.refusals = refusals;
    this.metricsInterceptor = metricsInterceptor;
    this.probes = probes;
    this.handshakeRefusals = new HandshakeRefusals(metrics, clock, signatures);
    this.expiry = expiry;
    this.metrics = metrics;
    this.invalidations = invalidations;
    this.signatures = signatures;
    this.executionServices = executionServices;
    this.enrollmentServices = enrollmentServices;
    this.enrollmentResources = enrollmentResources;
  }

  /**
   * Binds every port and starts serving.
   *
   * @throws MethodRule.InvalidRuleException before binding anything, if a method to be served has
   *     no enforceable rule
   */
  public synchronized void start() throws IOException {
    List<ServerServiceDefinition> executionDefinitions = definitions(executionServices);
    List<ServerServiceDefinition> enrollmentDefinitions = definitions(enrollmentServices);
    List<ServerServiceDefinition> all = new ArrayList<>(executionDefinitions);
    all.addAll(enrollmentDefinitions);
    ServerInterceptor admission = frontDoor.forRules(MethodRules.of(all));
    TlsContexts.logProvider();
    log.info("Signature provider outside the TLS handshake (crypto.provider={}): {}",
        config.cryptoProvider().word(), signatures.describe());
    handshakeRefusals.listen();
    invalidations.start();
    NettyServerBuilder executionBuilder =
        bounded(NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.executionPort())))
            .sslContext(TlsContexts.mutualTls(ca, handshakeRefusals, signatures))
            .addTransportFilter(identityFilter)
            .addTransportFilter(trustedChain);
    executionDefinitions.forEach(executionBuilder::addService);
    NettyServerBuilder enrollmentBuilder =
        bounded(NettyServerBuilder.forAddress(new InetSocketAddress(config.bindAddress(), config.enrollmentPort())))
            .sslContext(TlsContexts.serverOnly(ca));
    enrollmentDefinitions.forEach(enrollmentBuilder::addService);
    for (NettyServerBuilder builder : List.of(executionBuilder, enrollmentBuilder)) {
      // The last interceptor added runs first: metrics, then the front door, then refusal mapping.
      builder.intercept(refusals).intercept(admission).intercept(metricsInterceptor);
    }
    // Before all of them on the enrollment port: the caller's address, for its rate limit and refusal audit.
    enrollmentBuilder.intercept(new PeerAddresses());

    execution = bind(executionBuilder, "execution_port", config.executionPort());
    try {
      enrollment = bind(enrollmentBuilder, "enrollment_port", config.enrollmentPort());
      if (config.metricsPort() >= 0) {
        metricsServer = metricsServer();
      }
    } catch (IOException | RuntimeException e) {
      execution.shutdownNow();
      if (enrollment != null) {
        enrollment.shutdownNow();
      }
      throw e;
    }
    caReloader.start();
    expiry.warnIfNear();
    health.setStatus("", ServingStatus.SERVING);
    log.info("Serving the Execution API (mutual TLS) on {}:{} and enrollment (TLS) on {}:{}{}",
        config.bindAddress(), executionPort(), config.bindAddress(), enrollmentPort(),
        metricsServer == null ? "" : "; metrics on http://" + config.bindAddress() + ":" + metricsPort() + "/metrics");
  }

  /** The HTTP port: Prometheus metrics at /metrics, and the /livez and /readyz probes. */
  private HTTPServer metricsServer() throws IOException {
    try {
      return HTTPServer.builder()
          .inetAddress(InetAddress.getByName(config.bindAddress()))
          .port(config.metricsPort())
          .registry(metrics.registry())
          .defaultHandler(probes)
          .buildAndStart();
    } catch (IOException e) {
      throw new StartupFailure("metrics_port " + config.metricsPort() + " on " + config.bindAddress()
          + " cannot be bound (" + StartupFailure.rootMessage(e) + "): is another process using it? Choose another port", e);
    }
  }

  /** Starts one port, naming its configuration key when it cannot be bound. */
  private Server bind(NettyServerBuilder builder, String key, int port) throws IOException {
    try {
      return builder.build().start();
    } catch (IOException e) {
      throw new StartupFailure(key + " " + port + " on " + config.bindAddress() + " cannot be bound ("
          + StartupFailure.rootMessage(e) + "): is another process using it? Choose another port or stop that process", e);
    }
  }

  /**
   * The services of one port as served: each receiving raw messages so malformed ones are refused
   * with INVALID_ARGUMENT, plus health, and reflection when configured.
   */
  private List<ServerServiceDefinition> definitions(Set<BindableService> services) {
    List<ServerServiceDefinition> definitions = new ArrayList<>();
    services.forEach(service -> definitions.add(MalformedRequestInterceptor.strict(service)));
    definitions.add(health.getHealthService().bindService());
    if (config.reflection()) {
      definitions.add(ProtoReflectionServiceV1.newInstance().bindService());
    }
    return definitions;
  }

  private static NettyServerBuilder bounded(NettyServerBuilder builder) {
    return builder
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .maxInboundMetadataSize(MAX_INBOUND_METADATA_BYTES)
        .maxConcurrentCallsPerConnection(256)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .maxConnectionIdle(30, TimeUnit.MINUTES);
  }

  public int executionPort() {
    return execution.getPort();
  }

  public int enrollmentPort() {
    return enrollment.getPort();
  }

  /** The metrics port, or -1 when metrics are off. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.getPort();
  }

  /** Stops accepting calls, lets in-flight calls finish for up to {@code graceSeconds}, then closes. */
  public synchronized void stop(long graceSeconds) throws InterruptedException {
    health.enterTerminalState();
    for (Server server : new Server[] {enrollment, execution}) {
      if (server != null) {
        server.shutdown();
      }
    }
    for (Server server : new Server[] {enrollment, execution}) {
      if (server != null && !server.awaitTermination(graceSeconds, TimeUnit.SECONDS)) {
        log.warn("calls still running after {} s; cancelling them", graceSeconds);
        server.shutdownNow();
      }
    }
    for (AutoCloseable resource : enrollmentResources) {
      try {
        resource.close();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        log.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
      }
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    caReloader.close();
    invalidations.close();
    handshakeRefusals.close();
    log.info("Server stopped");
  }
}

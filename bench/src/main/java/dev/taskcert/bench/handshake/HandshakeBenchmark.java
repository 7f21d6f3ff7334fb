package dev.taskcert.bench.handshake;

import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.BenchChannels;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.load.ClosedLoopLoad;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.server.grpc.HandshakeRefusals;
import dev.taskcert.server.grpc.TlsContexts;
import dev.taskcert.server.metrics.ServerMetrics;
import dev.taskcert.server.pki.ServerCredentials;
import io.grpc.netty.GrpcSslContexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark 2: mutual-TLS handshakes per second on loopback, with raw Netty connections (no HTTP/2
 * on top), the server's real certificate (EC P-256) and a task certificate (EC P-256), TLS 1.3,
 * the same cipher and ALPN settings as the gRPC server. A handshake counts when both sides have
 * finished it: the server answers one byte after its handshake completes and the client closes
 * when it reads it. The client verifies the server's host name in every row. Full handshakes give
 * each client engine a peer port no earlier one had, so the client's session cache (keyed by host
 * and port) offers nothing to resume; the resumption rows reuse the real port.
 */
public final class HandshakeBenchmark {
  private static final Logger log = LoggerFactory.getLogger(HandshakeBenchmark.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private record Point(String name, String server, String client, boolean resume) {}

  private record Result(double handshakesPerSecond, double p50Millis, double p99Millis, long handshakes, long errors,
      double resumedShare) {}

  private HandshakeBenchmark() {}

  /** Runs every provider combination and adds the target checks. */
  public static Section run(BenchEnvironment environment, SuiteSettings settings, List<TargetCheck> targets)
      throws Exception {
    Section section = new Section("handshakes", "2a. Mutual-TLS handshake rate, both sides in one process",
        "Complete mutual-TLS handshakes per second (server and client on the same two cores, "
            + settings.handshakeConcurrency() + " connections handshaking at once, "
            + settings.handshakeWarmup().toMillis() / 1000.0 + " s warmup each, then "
            + settings.handshakeMeasure().toMillis() / 1000.0 + " s measured in " + settings.rounds()
            + " windows, the configurations taking turns). OPENSSL = netty-tcnative (BoringSSL), "
            + "JDK = the JDK's SunJSSE provider. Both sides are timed together, so a row's rate reflects the "
            + "cost of the server and the client side.");
    ServerCredentials server = environment.ca().current().server();
    List<X509Certificate> roots = environment.ca().current().bundle().roots();
    KeyPair clientKeys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    IssuedCertificate client = environment.ca().current().issuer().issueClient(clientKeys.getPublic(),
        new TaskIdentity(BenchEnvironment.DAG.dagId(), "handshake-run", "handshake", -1, 1), Instant.now());

    List<Point> points = List.of(
        new Point("OPENSSL server, OPENSSL client", "OPENSSL", "OPENSSL", false),
        new Point("JDK server, JDK client", "JDK", "JDK", false),
        new Point("JDK server, OPENSSL client", "JDK", "OPENSSL", false),
        new Point("OPENSSL server, JDK client", "OPENSSL", "JDK", false),
        new Point("production server context, OPENSSL client", "production", "OPENSSL", false),
        new Point("OPENSSL both, resumption", "OPENSSL", "OPENSSL", true),
        new Point("JDK both, resumption", "JDK", "JDK", true));
    Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    Map<String, Result> results = new LinkedHashMap<>();
    try {
      for (Point point : points) {
        CountingClientTrustManager trust = new CountingClientTrustManager(roots);
        boolean production = point.server().equals("production");
        SslContext serverContext = production
            ? TlsContexts.mutualTls(environment.ca(), new HandshakeRefusals(environment.instance(ServerMetrics.class),
                Clock.systemUTC(), environment.instance(SignatureProvider.class)), environment.instance(SignatureProvider.class))
            : GrpcSslContexts.configure(SslContextBuilder.forServer(server.privateKey(), server.chainArray()),
                    SslProvider.valueOf(point.server()))
                .protocols(PROTOCOLS).trustManager(trust).clientAuth(ClientAuth.REQUIRE).build();
        SslContext clientContext = BenchChannels.clientContextBuilder(roots, SslProvider.valueOf(point.client()))
            .keyManager(clientKeys.getPrivate(), client.chain().toArray(new X509Certificate[0]))
            .build();
        endpoints.put(point.name(), new Endpoint(serverContext, clientContext, point.resume(),
            new CountingServerSide(point.server().equals("JDK") ? trust : null)));
      }
      for (Endpoint endpoint : endpoints.values()) {
        endpoint.window(settings.handshakeConcurrency(), Duration.ZERO, settings.handshakeWarmup());
      }
      Duration slice = settings.handshakeMeasure().dividedBy(settings.rounds());
      Duration ramp = Duration.ofMillis(Math.min(250, Math.max(20, slice.toMillis() / 4)));
      Map<String, Window> sums = new LinkedHashMap<>();
      for (int round = 0; round < settings.rounds(); round++) {
        for (int i = 0; i < points.size(); i++) {
          String name = points.get((i + round) % points.size()).name();
          sums.merge(name, endpoints.get(name).window(settings.handshakeConcurrency(), ramp, slice), Window::plus);
        }
      }
      for (Point point : points) {
        Window window = sums.get(point.name());
        Result result = window.result();
        results.put(point.name(), result);
        log.info("handshakes {}: {}/s, p50 {} ms, p99 {} ms, resumed {}", point.name(),
            Math.round(result.handshakesPerSecond()), result.p50Millis(), result.p99Millis(), result.resumedShare());
        section.row("configuration", point.name(), "server_provider", point.server(), "client_provider",
            point.client(), "handshakes_per_s", result.handshakesPerSecond(), "p50_ms", result.p50Millis(),
            "p99_ms", result.p99Millis(), "errors", result.errors(),
            "resumed_share", result.resumedShare());
      }
    } finally {
      for (Endpoint endpoint : endpoints.values()) {
        endpoint.close();
      }
    }
    double pair = rate(results, "OPENSSL server, OPENSSL client");
    targets.add(TargetCheck.ratioAtLeast("netty-tcnative handshakes >= 2x JDK (both sides)", pair,
        rate(results, "JDK server, JDK client"), 2.0, "full handshakes/s, OPENSSL/OPENSSL over JDK/JDK"));
    targets.add(TargetCheck.ratioAtLeast("netty-tcnative handshakes >= 2x JDK (server side only)", pair,
        rate(results, "JDK server, OPENSSL client"), 2.0,
        "full handshakes/s with the client on OPENSSL in both; client side only: "
            + String.format(Locale.ROOT, "%.2fx", pair / rate(results, "OPENSSL server, JDK client"))));
    section.note("resumed_share = share of the handshakes the server completed in the measured windows that resumed "
        + "a session, told connection by connection: BoringSSL reports it; for the JDK server, a connection whose "
        + "client chain the trust manager never verified resumed. A full-handshake row with any resumed session "
        + "fails the targets that use it.");
    section.note("Full-handshake rows defeat the client's session cache by giving every engine a fresh peer port "
        + "(the cache key); their resumed share is 0 by construction and measured. The client verifies the "
        + "server's chain and host name in every row.");
    return section;
  }

  /** Full handshakes per second of a row, NaN if it was not measured or any of its handshakes was resumed. */
  private static double rate(Map<String, Result> results, String name) {
    Result result = results.get(name);
    if (result == null || result.resumedShare() > 0) {
      return Double.NaN;
    }
    return result.handshakesPerSecond();
  }

  /** Handshakes counted over one or more windows: by the client (times, errors) and by the server (full or resumed). */
  private record Window(Histogram histogram, long errors, double seconds, CountingServerSide.Counts server) {
    Window plus(Window other) {
      Histogram sum = histogram.copy();
      sum.add(other.histogram());
      return new Window(sum, errors + other.errors(), seconds + other.seconds(), server.plus(other.server()));
    }

    Result result() {
      long handshakes = histogram.getTotalCount();
      return new Result(handshakes / seconds, ClosedLoopLoad.millis(histogram, 50),
          ClosedLoopLoad.millis(histogram, 99), handshakes, errors, server.resumedShare());
    }
  }

  /** A listening TLS server and the client side that connects to it, each on its own event loops. */
  private static final class Endpoint implements AutoCloseable {
    private final EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final SslContext clientContext;
    private final boolean resume;
    private final CountingServerSide serverSide;
    private final Channel listener;
    private final int port;

    Endpoint(SslContext serverContext, SslContext clientContext, boolean resume, CountingServerSide serverSide)
        throws InterruptedException {
      this.clientContext = clientContext;
      this.resume = resume;
      this.serverSide = serverSide;
      this.listener = new ServerBootstrap()
          .group(serverGroup)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline().addLast(CountingServerSide.newHandler(serverContext, channel), serverSide);
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      this.port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Keeps {@code concurrency} connections handshaking: {@code ramp} unmeasured, then {@code length} measured. */
    Window window(int concurrency, Duration ramp, Duration length) throws InterruptedException {
      HandshakeLoop loop = new HandshakeLoop(clientGroup, clientContext, port, resume);
      for (int i = 0; i < concurrency; i++) {
        loop.next();
      }
      Thread.sleep(ramp.toMillis());
      CountingServerSide.Counts before = serverSide.counts();
      long start = System.nanoTime();
      loop.measuring(true);
      Thread.sleep(length.toMillis());
      loop.measuring(false);
      Histogram histogram = loop.intervalHistogram();
      double seconds = (System.nanoTime() - start) / 1e9;
      CountingServerSide.Counts counted = serverSide.counts().minus(before);
      long errors = loop.errors();
      loop.stop(concurrency);
      return new Window(histogram, errors, seconds, counted);
    }

    @Override
    public void close() throws InterruptedException {
      listener.close().sync();
      clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
      serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
  }
}

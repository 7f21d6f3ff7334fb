package dev.taskcert.bench.handshake;

import dev.taskcert.bench.SuiteSettings;
import dev.taskcert.bench.environment.BenchEnvironment;
import dev.taskcert.bench.environment.JvmClassPath;
import dev.taskcert.bench.environment.ProcessStats;
import dev.taskcert.bench.report.Section;
import dev.taskcert.bench.report.TargetCheck;
import dev.taskcert.bench.scale.CredentialFile;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.pki.issuance.IssuedCertificate;
import dev.taskcert.server.grpc.HandshakeRefusals;
import dev.taskcert.server.grpc.TlsContexts;
import dev.taskcert.server.metrics.ServerMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark 2b: full mutual-TLS handshakes the real server's TLS context completes per second when
 * its client runs in another process, so that the server's cost stands alone in this JVM. The
 * server side is the production context (the server's key manager, its trust manager over the
 * bundle in force, the distrust check), under raw Netty with no HTTP/2 on top; each completed
 * handshake is asked of BoringSSL whether it resumed a session, and only full ones count.
 */
public final class ServerHandshakeBenchmark {
  private static final Logger log = LoggerFactory.getLogger(ServerHandshakeBenchmark.class);
  /**
   * The target of the issue, in full handshakes per second of server CPU: about 70 % of what one
   * core's signature and verifications allow, so it is judged per core the server used, the
   * client's share of the machine set aside.
   */
  public static final double TARGET_PER_SECOND = 2_500;

  private ServerHandshakeBenchmark() {}

  /** Runs the measurement and adds its target. */
  public static Section run(BenchEnvironment environment, SuiteSettings settings, List<TargetCheck> targets)
      throws Exception {
    Section section = new Section("handshakes_server", "2b. Server-side handshakes, client in another process",
        "The production server TLS context (the server's key manager and its trust manager over the bundle in "
            + "force) under raw Netty on two event-loop threads in the benchmark JVM; the client in a second JVM "
            + "keeps " + settings.handshakeConcurrency() + " full mutual-TLS handshakes in flight (netty-tcnative, a "
            + "task's EC P-256 certificate, the server's chain checked as the supervisor library checks it, a fresh "
            + "session-cache key for every connection). "
            + settings.handshakeWarmup().toMillis() / 1000.0 + " s warmup, then " + settings.handshakeMeasure()
                .toMillis() / 1000.0 + " s counted by the server. A handshake counts when the server completed it "
            + "and BoringSSL reports that no session was resumed.");
    KeyPair clientKeys = KeyAlgorithm.EC_P256.generate(new SecureRandom());
    IssuedCertificate client = environment.ca().current().issuer().issueClient(clientKeys.getPublic(),
        new TaskIdentity(BenchEnvironment.DAG.dagId(), "handshake-run", "handshake-server", -1, 1), Instant.now());
    Path credentials = CredentialFile.create();
    CredentialFile.write(credentials, environment.ca().current().bundle().roots(), List.of(clientKeys.getPrivate()),
        List.of(client.chain()));
    SslContext context = TlsContexts.mutualTls(environment.ca(),
        new HandshakeRefusals(environment.instance(ServerMetrics.class), Clock.systemUTC(),
            environment.instance(SignatureProvider.class)),
        environment.instance(SignatureProvider.class));
    CountingServerSide server = new CountingServerSide(null);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Process child = null;
    try {
      Channel listener = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline().addLast(CountingServerSide.newHandler(context, channel), server);
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      child = JvmClassPath.childJvm("taskcert-bench-handshake-client.log", HandshakeClientProcess.class,
          Integer.toString(port), credentials.toString(), Integer.toString(settings.handshakeConcurrency())).start();
      BufferedReader fromChild = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8));
      Writer toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
      expect(fromChild, "READY");
      Thread.sleep(settings.handshakeWarmup().toMillis());
      toChild.write("MEASURE\n");
      toChild.flush();
      CountingServerSide.Counts before = server.counts();
      double serverCpuBefore = ProcessStats.ownCpuSeconds();
      double clientCpuBefore = ProcessStats.cpuSeconds(child.pid());
      long start = System.nanoTime();
      Thread.sleep(settings.handshakeMeasure().toMillis());
      CountingServerSide.Counts counted = server.counts().minus(before);
      long full = counted.full();
      long resumed = counted.resumed();
      long failed = counted.failed();
      double seconds = (System.nanoTime() - start) / 1e9;
      double serverCores = (ProcessStats.ownCpuSeconds() - serverCpuBefore) / seconds;
      double clientCores = (ProcessStats.cpuSeconds(child.pid()) - clientCpuBefore) / seconds;
      toChild.write("STOP\n");
      toChild.flush();
      String[] result = expect(fromChild, "RESULT").split(" ");
      long clientErrors = Long.parseLong(result[2]);
      double perSecond = full / seconds;
      log.info("server-side handshakes: {}/s full, {} resumed, {} failed; server {} cores, client {} cores",
          Math.round(perSecond), resumed, failed + clientErrors, fmt(serverCores), fmt(clientCores));
      section.row("configuration", "production server context, client in another JVM", "full_handshakes_per_s",
          perSecond, "resumed", resumed, "errors", failed + clientErrors, "client_p50_ms",
          Double.parseDouble(result[3]), "client_p99_ms", Double.parseDouble(result[4]), "server_cores", serverCores,
          "client_cores", clientCores, "per_server_core_per_s", serverCores <= 0 ? Double.NaN : perSecond / serverCores,
          "server_ms_cpu_per_handshake", full == 0 ? Double.NaN : serverCores * seconds * 1000 / full);
      double perServerCore = serverCores <= 0 ? Double.NaN : perSecond / serverCores;
      targets.add(TargetCheck.atLeast(String.format(Locale.ROOT,
              "server-side full mutual-TLS handshakes >= %,.0f per second of server CPU, client in another process",
              TARGET_PER_SECOND), perServerCore, TARGET_PER_SECOND, "%.0f/s per server core",
              String.format(Locale.ROOT, "production server context; %.0f full handshakes/s with the server JVM at %.2f "
                  + "cores and the client JVM at %.2f cores of the machine's %d", perSecond, serverCores, clientCores,
                  Runtime.getRuntime().availableProcessors()))
          .and(resumed == 0, resumed + " sessions were resumed")
          .and(failed + clientErrors == 0, (failed + clientErrors) + " handshakes failed"));
      listener.close().sync();
    } finally {
      if (child != null) {
        child.getOutputStream().close();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
          child.destroy();
        }
      }
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
      Files.deleteIfExists(credentials);
    }
    section.note("server_cores / client_cores: CPU time of the benchmark JVM (the server; nothing else runs in it "
        + "meanwhile) and of the client JVM over the counted window, divided by its length; the machine has "
        + Runtime.getRuntime().availableProcessors() + " cores, shared by both.");
    return section;
  }

  private static String expect(BufferedReader in, String prefix) throws java.io.IOException {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("the handshake client ended before it printed " + prefix);
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }
}

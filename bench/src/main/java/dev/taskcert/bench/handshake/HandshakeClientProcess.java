package dev.taskcert.bench.handshake;

import dev.taskcert.bench.environment.BenchChannels;
import dev.taskcert.bench.scale.CredentialFile;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The client of the server-side handshake benchmark, in a process of its own so that the server's
 * cost stands alone in the benchmark JVM: it keeps {@code concurrency} full mutual-TLS handshakes
 * going against the server and obeys its parent on standard input.
 *
 * <p>Arguments: the server's port on 127.0.0.1, a {@link CredentialFile} (its first supervisor's
 * key and chain are used), the number of handshakes in flight. Prints {@code READY}; then
 * {@code MEASURE} on standard input starts counting and {@code STOP} prints
 * {@code RESULT <handshakes> <errors> <p50 ms> <p99 ms>} and ends the process.
 */
public final class HandshakeClientProcess {
  private HandshakeClientProcess() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    TaskCredentials credentials = CredentialFile.read(Path.of(args[1])).get(0);
    int concurrency = Integer.parseInt(args[2]);
    SslContext context = BenchChannels.clientContextBuilder(credentials.trustRoots(), SslProvider.OPENSSL)
        .keyManager(ClientTls.keyManagers(credentials))
        .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      HandshakeLoop loop = new HandshakeLoop(group, context, port, false);
      for (int i = 0; i < concurrency; i++) {
        loop.next();
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      long errorsBefore = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.equals("MEASURE")) {
          loop.intervalHistogram();
          errorsBefore = loop.errors();
          loop.measuring(true);
        } else if (line.equals("STOP")) {
          loop.measuring(false);
          Histogram histogram = loop.intervalHistogram();
          System.out.println(String.format(Locale.ROOT, "RESULT %d %d %.4f %.4f", histogram.getTotalCount(),
              loop.errors() - errorsBefore, histogram.getValueAtPercentile(50) / 1e6,
              histogram.getValueAtPercentile(99) / 1e6));
          System.out.flush();
          loop.stop(concurrency);
          break;
        }
      }
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
  }
}

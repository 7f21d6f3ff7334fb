package dev.taskcert.bench.handshake;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The client side of the handshake benchmarks: connections opened back to back to a TLS server on
 * loopback, each closed once the server's one byte (sent when its handshake completed) arrives.
 * Full handshakes give every engine a peer port no earlier one had, so the client's session cache,
 * keyed by host and port, offers nothing to resume while the host name is still verified.
 */
final class HandshakeLoop {
  /** Source of peer ports no earlier full handshake used (see {@link #uniquePeerPort}). */
  private static final AtomicLong PEER_PORTS = new AtomicLong();

  private final Recorder recorder = new Recorder(3);
  private final AtomicLong errors = new AtomicLong();
  private final Bootstrap bootstrap;
  private final SslContext context;
  private final int port;
  private final boolean resume;
  private volatile boolean running = true;
  private volatile boolean measuring;
  private volatile CountDownLatch stopped;

  HandshakeLoop(EventLoopGroup group, SslContext context, int port, boolean resume) {
    this.context = context;
    this.port = port;
    this.resume = resume;
    this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class);
  }

  /**
   * A peer port no earlier connection used: the client's session cache is keyed by host and port,
   * so a handshake under a fresh key finds nothing to resume, while the host name is still verified.
   */
  private int uniquePeerPort() {
    return 1 + (int) (PEER_PORTS.getAndIncrement() % 65_535);
  }

  /** Whether completed handshakes are counted from now on. */
  void measuring(boolean measuring) {
    this.measuring = measuring;
  }

  /** Handshake times (nanoseconds) counted since the previous call. */
  Histogram intervalHistogram() {
    return recorder.getIntervalHistogram();
  }

  /** Failed handshakes counted so far. */
  long errors() {
    return errors.get();
  }

  /** Opens one more connection; each one, when closed, opens the next until {@link #stop}. */
  void next() {
    if (!running) {
      stopped.countDown();
      return;
    }
    long start = System.nanoTime();
    bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel channel) {
        channel.pipeline().addLast(
            context.newHandler(channel.alloc(), "localhost", resume ? port : uniquePeerPort()),
            new ChannelInboundHandlerAdapter() {
              private boolean done;

              @Override
              public void channelRead(ChannelHandlerContext context, Object message) {
                ReferenceCountUtil.release(message);
                if (!done) {
                  done = true;
                  if (measuring) {
                    recorder.recordValue(System.nanoTime() - start);
                  }
                  context.close();
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
                if (!done) {
                  done = true;
                  if (measuring) {
                    errors.incrementAndGet();
                  }
                }
                context.close();
              }
            });
      }
    }).connect(new InetSocketAddress("127.0.0.1", port)).addListener((ChannelFutureListener) connected -> {
      if (!connected.isSuccess()) {
        if (measuring) {
          errors.incrementAndGet();
        }
        connected.channel().eventLoop().schedule(this::next, 1, TimeUnit.MILLISECONDS);
        return;
      }
      connected.channel().closeFuture().addListener(closed -> next());
    });
  }

  /** Stops opening connections and waits for the {@code inFlight} ones to end. */
  void stop(int inFlight) throws InterruptedException {
    stopped = new CountDownLatch(inFlight);
    running = false;
    if (!stopped.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("handshake loops did not stop");
    }
  }
}

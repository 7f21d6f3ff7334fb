package dev.taskcert.bench.handshake;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;

/**
 * The server side of the handshake benchmarks: counts each completed handshake as full or resumed,
 * exactly, connection by connection, then answers one byte so that the client closes. BoringSSL
 * says itself whether a session was resumed; for the JDK's engine, a handshake is full when the
 * counting trust manager verified the client chain of that very connection (the server's engine
 * must be made with the client's address, see {@link #newHandler}).
 */
@ChannelHandler.Sharable
final class CountingServerSide extends ChannelInboundHandlerAdapter {
  private final CountingClientTrustManager trust;
  private final AtomicLong full = new AtomicLong();
  private final AtomicLong resumed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** @param trust the trust manager of a JDK server context, or {@code null} for BoringSSL's */
  CountingServerSide(CountingClientTrustManager trust) {
    this.trust = trust;
  }

  /** The counts so far. */
  Counts counts() {
    return new Counts(full.get(), resumed.get(), failed.get());
  }

  /** Handshakes the server completed, full or resumed, and those that failed. */
  record Counts(long full, long resumed, long failed) {
    Counts minus(Counts earlier) {
      return new Counts(full - earlier.full, resumed - earlier.resumed, failed - earlier.failed);
    }

    Counts plus(Counts other) {
      return new Counts(full + other.full, resumed + other.resumed, failed + other.failed);
    }

    /** Share of completed handshakes that resumed a session; NaN when none completed. */
    double resumedShare() {
      long completed = full + resumed;
      return completed == 0 ? Double.NaN : resumed / (double) completed;
    }
  }

  /** The server's TLS handler for {@code channel}, its engine told the client's address. */
  static SslHandler newHandler(SslContext context, SocketChannel channel) {
    InetSocketAddress client = channel.remoteAddress();
    return context.newHandler(channel.alloc(), client.getHostString(), client.getPort());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof SslHandshakeCompletionEvent completion) {
      if (!completion.isSuccess()) {
        failed.incrementAndGet();
        context.close();
        return;
      }
      if (resumed(context.pipeline().get(SslHandler.class).engine())) {
        resumed.incrementAndGet();
      } else {
        full.incrementAndGet();
      }
      context.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
    }
  }

  private boolean resumed(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      return SSL.isSessionReused(openSsl.sslPointer());
    }
    if (trust == null) {
      throw new IllegalStateException("a JDK server engine needs the counting trust manager to tell resumption");
    }
    return !trust.verified(engine.getPeerPort());
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object message) {
    ReferenceCountUtil.release(message);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    context.close();
  }
}

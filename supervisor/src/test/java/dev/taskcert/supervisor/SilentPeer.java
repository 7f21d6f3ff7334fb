package dev.taskcert.supervisor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A loopback port that accepts connections and never answers, so a call made to it is certainly
 * still in flight: for tests of what closing does to a call on the wire.
 */
public final class SilentPeer implements AutoCloseable {
  private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  private final List<Socket> held = new CopyOnWriteArrayList<>();
  private final CountDownLatch connected = new CountDownLatch(1);

  public SilentPeer() throws IOException {
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          held.add(socket.accept());
          connected.countDown();
        }
      } catch (IOException closed) {
        // the test is over
      }
    }, "silent-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Where to connect: {@code 127.0.0.1:port}. */
  public String target() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** Whether a client connected within {@code timeout}. */
  public boolean awaitConnection(Duration timeout) throws InterruptedException {
    return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket accepted : held) {
      accepted.close();
    }
  }
}

package dev.taskcert.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports nobody listens on, for servers a test starts with fixed ports. */
public final class FreePorts {
  private FreePorts() {}

  /** A port that was free a moment ago (the OS picks it; another process could take it meanwhile). */
  public static int next() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}

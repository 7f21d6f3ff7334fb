package dev.taskcert.supervisor.channel;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps gRPC's and netty's java.util.logging records below SEVERE off a command's terminal: a
 * failed name resolution, for one, is logged there with its whole stack trace before the call
 * fails, and the command says the same in one line. Commands call {@link #quiet()} unless asked to
 * be verbose.
 */
public final class LibraryLogging {
  /** Held so that the levels set stay set: java.util.logging keeps its loggers only weakly. */
  private static final List<Logger> QUIETED = List.of(Logger.getLogger("io.grpc"), Logger.getLogger("io.netty"));

  private LibraryLogging() {}

  /** From now on, only SEVERE records of gRPC and netty are logged. */
  public static void quiet() {
    QUIETED.forEach(logger -> logger.setLevel(Level.SEVERE));
  }
}

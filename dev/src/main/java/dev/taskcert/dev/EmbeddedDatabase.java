package dev.taskcert.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server run from the binaries shipped on Maven Central, for {@code dev} mode,
 * the demo and tests. Its data directory is kept, so a restarted dev server sees its old data;
 * {@link #stop()} and {@link #restart()} keep the port, so clients reconnect to the same URL.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres postgres;

  private EmbeddedDatabase(Path dataDirectory, EmbeddedPostgres postgres) {
    this.dataDirectory = dataDirectory;
    this.postgres = postgres;
    this.port = postgres.getPort();
  }

  /** Starts PostgreSQL on a free loopback port with its data in {@code dataDirectory}. */
  public static EmbeddedDatabase start(Path dataDirectory) throws IOException {
    Files.createDirectories(dataDirectory);
    return new EmbeddedDatabase(dataDirectory, builder(dataDirectory).start());
  }

  private static EmbeddedPostgres.Builder builder(Path dataDirectory) {
    return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
  }

  public String user() {
    return "postgres";
  }

  /** Stops the server, keeping its data (an outage, for fault tests). */
  public synchronized void stop() throws IOException {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  /** Starts the server again on the same port with the same data. */
  public synchronized void restart() throws IOException {
    if (postgres == null) {
      postgres = builder(dataDirectory).setPort(port).start();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}

package dev.taskcert.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.grpc.TaskcertServer;
import java.io.IOException;
import java.time.Clock;
import javax.sql.DataSource;

/** A started server: its object graph and listening ports, stopped by {@link #close()}. */
public final class ServerRuntime implements AutoCloseable {
  private final Injector injector;
  private final TaskcertServer server;

  private ServerRuntime(Injector injector) {
    this.injector = injector;
    this.server = injector.getInstance(TaskcertServer.class);
  }

  /** Wires the server from {@code config}, migrates the schema, and starts both ports. */
  public static ServerRuntime start(ServerConfig config, Clock clock) throws IOException {
    ServerRuntime runtime = new ServerRuntime(Guice.createInjector(ServerModules.all(config, clock)));
    runtime.server.start();
    return runtime;
  }

  public Injector injector() {
    return injector;
  }

  public int executionPort() {
    return server.executionPort();
  }

  public int enrollmentPort() {
    return server.enrollmentPort();
  }

  /** The Prometheus HTTP port, or -1 when metrics are off. */
  public int metricsPort() {
    return server.metricsPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(10);
    if (injector.getInstance(DataSource.class) instanceof AutoCloseable pool) {
      try {
        pool.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot close the connection pool", e);
      }
    }
  }
}

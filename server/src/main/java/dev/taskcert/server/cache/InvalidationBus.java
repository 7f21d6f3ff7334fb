package dev.taskcert.server.cache;

import dev.taskcert.server.config.ServerConfig;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers PostgreSQL {@code LISTEN/NOTIFY} messages on channel {@value #CHANNEL} to the caches of
 * this replica, so a task state change, ownership change or revocation made through any replica
 * is seen by all at once. Triggers in the schema send the notifications. While the listening
 * connection is down, every listener is told to resync (drop everything) and the caches' TTL
 * bounds staleness; the bus reconnects with backoff.
 */
@jakarta.inject.Singleton
public final class InvalidationBus implements AutoCloseable {
  /** The notification channel the schema's triggers publish on. */
  public static final String CHANNEL = "taskcert_invalidate";
  private static final Logger log = LoggerFactory.getLogger(InvalidationBus.class);

  /** Something that drops cached facts when told. */
  public interface Listener {
    /** One notification payload, for example {@code ti:42}, {@code catalog}, {@code revoked:ab12}. */
    void onNotification(String payload);

    /** Notifications may have been missed: drop everything cached. */
    void onResync();
  }

  private final ServerConfig.DatabaseConfig database;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean running;
  private volatile Connection connection;
  private Thread thread;

  @Inject
  InvalidationBus(ServerConfig config) {
    this.database = config.database();
  }

  public void register(Listener listener) {
    listeners.add(listener);
  }

  /** Starts listening in a background thread. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "taskcert-invalidation");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    long backoffMillis = 100;
    while (running) {
      try (Connection listening = connect()) {
        connection = listening;
        try (Statement statement = listening.createStatement()) {
          statement.execute("LISTEN " + CHANNEL);
        }
        // Anything may have changed while we were not listening.
        listeners.forEach(Listener::onResync);
        backoffMillis = 100;
        PGConnection pg = listening.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notifications = pg.getNotifications(500);
          if (notifications != null) {
            for (PGNotification notification : notifications) {
              for (Listener listener : listeners) {
                listener.onNotification(notification.getParameter());
              }
            }
          }
        }
      } catch (SQLException e) {
        if (!running) {
          return;
        }
        listeners.forEach(Listener::onResync);
        log.warn("cache invalidation channel lost ({}); retrying in {} ms", e.getMessage(), backoffMillis);
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (database.user() != null) {
      properties.setProperty("user", database.user());
    }
    if (database.password() != null) {
      properties.setProperty("password", database.password());
    }
    properties.setProperty("ApplicationName", "taskcert-invalidation");
    return DriverManager.getConnection(database.jdbcUrl(), properties);
  }

  @Override
  public synchronized void close() throws InterruptedException {
    running = false;
    Connection current = connection;
    if (current != null) {
      try {
        current.close();
      } catch (SQLException e) {
        log.debug("closing the invalidation connection: {}", e.toString());
      }
    }
    if (thread != null) {
      thread.join(5_000);
    }
  }
}

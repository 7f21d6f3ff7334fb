package dev.taskcert.server.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Row locks held by a transaction of the test's own, so that a server's statements needing those
 * rows wait at a known point: between what they read before and what they change. The test then
 * sees them waiting ({@link #awaitWaiting}) and lets them go in the order they queued ({@link
 * #release}).
 */
public final class HeldRowLock implements AutoCloseable {
  private final TestEnvironment env;
  private final Connection connection;

  private HeldRowLock(TestEnvironment env, Connection connection) {
    this.env = env;
    this.connection = connection;
  }

  /** Runs {@code lockingQuery} (a {@code select ... for update} that must lock a row) and holds its locks. */
  public static HeldRowLock of(TestEnvironment env, String lockingQuery) throws SQLException {
    Connection connection = env.instance(DataSource.class).getConnection();
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(lockingQuery)) {
      if (!rows.next()) {
        throw new IllegalStateException("locked no row: " + lockingQuery);
      }
      return new HeldRowLock(env, connection);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** Waits until {@code count} statements containing {@code fragment} wait for a lock. */
  public void awaitWaiting(int count, String fragment) throws InterruptedException {
    Await.until(count + " statements containing '" + fragment + "' wait for a lock", Duration.ofSeconds(8), () -> {
      try {
        return waiting(fragment) >= count;
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private long waiting(String fragment) throws SQLException {
    try (Connection probe = env.instance(DataSource.class).getConnection();
        PreparedStatement statement = probe.prepareStatement("""
            select count(*) from pg_stat_activity
            where wait_event_type = 'Lock' and state = 'active' and strpos(query, ?) > 0""")) {
      statement.setString(1, fragment);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        long waiting = row.getLong(1);
        probe.rollback();
        return waiting;
      }
    }
  }

  /** Ends the holding transaction without a change: the waiting statements go on, first queued first. */
  public void release() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    try {
      connection.rollback();
    } finally {
      connection.close();
    }
  }
}

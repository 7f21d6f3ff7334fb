package dev.taskcert.server.testing;

import dev.taskcert.server.config.ServerConfig;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * A JDBC driver in front of PostgreSQL's that records the round trips a server makes to its
 * database: every statement executed, and every commit or rollback of an open transaction (which
 * PostgreSQL's driver sends as a message of its own), with the thread that made it. A server whose
 * database URL went through {@link #wrap} uses it for its pool and its notification listener
 * alike; nothing else about its connections changes, and nothing is faked.
 */
public final class CountingDriver implements Driver {
  private static final String PREFIX = "jdbc:counting:";
  private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
      "executeLargeUpdate", "executeBatch", "executeLargeBatch");
  private static final List<Recording> RECORDINGS = new CopyOnWriteArrayList<>();

  static {
    try {
      DriverManager.registerDriver(new CountingDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One round trip to the database. */
  public record RoundTrip(String thread, String what) {}

  /** The round trips made while it records, until {@link #close}. */
  public static final class Recording implements AutoCloseable {
    private final List<RoundTrip> roundTrips = new CopyOnWriteArrayList<>();

    /** What was recorded so far on threads whose name starts with one of {@code threadPrefixes}. */
    public List<RoundTrip> on(String... threadPrefixes) {
      List<RoundTrip> matching = new ArrayList<>();
      for (RoundTrip trip : roundTrips) {
        for (String prefix : threadPrefixes) {
          if (trip.thread().startsWith(prefix)) {
            matching.add(trip);
            break;
          }
        }
      }
      return matching;
    }

    @Override
    public void close() {
      RECORDINGS.remove(this);
    }
  }

  /** The same database, reached through this driver. */
  public static ServerConfig.DatabaseConfig wrap(ServerConfig.DatabaseConfig database) {
    if (!database.jdbcUrl().startsWith("jdbc:")) {
      throw new IllegalArgumentException("not a JDBC URL: " + database.jdbcUrl());
    }
    return new ServerConfig.DatabaseConfig(PREFIX + database.jdbcUrl().substring("jdbc:".length()),
        database.user(), database.password(), database.maxPoolSize());
  }

  /** Starts recording every round trip from now on. */
  public static Recording record() {
    Recording recording = new Recording();
    RECORDINGS.add(recording);
    return recording;
  }

  private static void note(String what) {
    RoundTrip trip = new RoundTrip(Thread.currentThread().getName(), what);
    for (Recording recording : RECORDINGS) {
      recording.roundTrips.add(trip);
    }
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    Connection real = DriverManager.getConnection("jdbc:" + url.substring(PREFIX.length()), info);
    return proxy(Connection.class, real, new Counted(real));
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(PREFIX);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    return new DriverPropertyInfo[0];
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  /** Counts what one connection sends. */
  private static final class Counted implements InvocationHandler {
    private final Connection real;

    Counted(Connection real) {
      this.real = real;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "commit", "rollback" -> {
          if (args == null && inTransaction()) {
            note(method.getName());
          }
        }
        case "setAutoCommit" -> {
          if (Boolean.TRUE.equals(args[0]) && !real.getAutoCommit() && inTransaction()) {
            note("commit");
          }
        }
        default -> { }
      }
      Object result = call(real, method, args);
      if (result instanceof CallableStatement statement) {
        return proxy(CallableStatement.class, statement, new Executions(statement, sql(args)));
      }
      if (result instanceof PreparedStatement statement) {
        return proxy(PreparedStatement.class, statement, new Executions(statement, sql(args)));
      }
      if (result instanceof Statement statement) {
        return proxy(Statement.class, statement, new Executions(statement, null));
      }
      return result;
    }

    private boolean inTransaction() throws SQLException {
      return real.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE;
    }

    private static String sql(Object[] args) {
      return args != null && args.length > 0 && args[0] instanceof String sql ? sql : null;
    }
  }

  /** Counts the executions of one statement. */
  private static final class Executions implements InvocationHandler {
    private final Statement real;
    private final String sql;

    Executions(Statement real, String sql) {
      this.real = real;
      this.sql = sql;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (EXECUTIONS.contains(method.getName())) {
        note(args != null && args.length > 0 && args[0] instanceof String text ? text : sql);
      }
      return call(real, method, args);
    }
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, T real, InvocationHandler handler) {
    return (T) Proxy.newProxyInstance(CountingDriver.class.getClassLoader(), new Class<?>[] {type}, handler);
  }
}

package dev.taskcert.server.db;

import jakarta.inject.Inject;
import java.util.function.Function;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;

/**
 * Runs work in one database transaction at a service boundary: commits when the work returns,
 * rolls back when it throws, so a refused request leaves nothing behind.
 *
 * <p>Transactions never nest on one thread: a second one would hold a second pooled connection
 * while the first waits, and enough concurrent calls doing so would exhaust the pool and stall
 * each other until the connection timeout. Anything a transaction needs from elsewhere (cached
 * facts, scope decisions) is loaded before it opens.
 */
public final class Transactions {
  private static final ThreadLocal<Boolean> OPEN = ThreadLocal.withInitial(() -> false);

  private final SqlSessionFactory sessions;

  @Inject
  Transactions(SqlSessionFactory sessions) {
    this.sessions = sessions;
  }

  /** Runs {@code work} in a transaction and returns its result. */
  public <T> T inTransaction(Function<SqlSession, T> work) {
    if (OPEN.get()) {
      throw new IllegalStateException("a transaction is already open on this thread; load what it needs first");
    }
    OPEN.set(true);
    try (SqlSession session = sessions.openSession(false)) {
      try {
        T result = work.apply(session);
        session.commit(true);
        return result;
      } catch (RuntimeException | Error e) {
        try {
          session.rollback(true);
        } catch (RuntimeException rollbackFailure) {
          e.addSuppressed(rollbackFailure); // keep the original cause (say, a lost connection) in front
        }
        throw e;
      }
    } finally {
      OPEN.set(false);
    }
  }

  /** Runs {@code work} with one mapper in a transaction. */
  public <M, T> T withMapper(Class<M> mapperType, Function<M, T> work) {
    return inTransaction(session -> work.apply(session.getMapper(mapperType)));
  }

  /**
   * Runs {@code work}, which makes exactly one statement, with autocommit: the statement is its own
   * transaction, so it costs one round trip to the database (no {@code BEGIN}, no {@code COMMIT}).
   * For a read, and for a write whose every check and effect is in that one statement
   * (PostgreSQL's data-modifying {@code WITH} queries), which then happens entirely or not at all.
   */
  public <M, T> T oneStatement(Class<M> mapperType, Function<M, T> work) {
    if (OPEN.get()) {
      throw new IllegalStateException("a transaction is already open on this thread; load what it needs first");
    }
    OPEN.set(true);
    try (SqlSession session = sessions.openSession(true)) {
      return work.apply(session.getMapper(mapperType));
    } finally {
      OPEN.set(false);
    }
  }
}

package dev.taskcert.server.catalog;

import dev.taskcert.server.db.Transactions;
import jakarta.inject.Inject;
import java.util.List;
import org.apache.ibatis.session.SqlSession;

/**
 * Which teams other than a DAG's own its registration lets read its runs and task instances
 * ({@link Access#READ}) or trigger and clear its runs ({@link Access#TRIGGER}).
 */
public final class CrossTeamAccess {
  /** What a declaration grants. */
  public enum Access {
    READ("read"),
    TRIGGER("trigger");

    private final String column;

    Access(String column) {
      this.column = column;
    }
  }

  private final Transactions transactions;

  @Inject
  CrossTeamAccess(Transactions transactions) {
    this.transactions = transactions;
  }

  /** The teams DAG {@code dagId} declares for {@code access}, read now (outside a transaction). */
  public List<String> teams(String dagId, Access access) {
    return transactions.withMapper(DagAccessMapper.class, mapper -> mapper.teams(dagId, access.column));
  }

  /** Replaces DAG {@code dagId}'s declarations in {@code session}'s transaction. */
  public static void replace(SqlSession session, String dagId, List<String> readers, List<String> triggerers) {
    DagAccessMapper mapper = session.getMapper(DagAccessMapper.class);
    mapper.delete(dagId);
    if (!readers.isEmpty()) {
      mapper.insert(dagId, Access.READ.column, readers);
    }
    if (!triggerers.isEmpty()) {
      mapper.insert(dagId, Access.TRIGGER.column, triggerers);
    }
  }
}

package dev.taskcert.server.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A digest of every row of the server's state tables, to show that a refused request changed
 * nothing. Every table of the schema counts, whatever later migrations add, except the audit log:
 * refusals are audited on purpose.
 */
public final class DatabaseFingerprint {
  private DatabaseFingerprint() {}

  /** The digest of the state tables of {@code env}'s database, as of now. */
  public static String of(TestEnvironment env) throws SQLException {
    try (Connection connection = env.instance(DataSource.class).getConnection();
        Statement statement = connection.createStatement()) {
      String query = DatabaseDump.tables(connection).stream()
          .filter(table -> !table.equals("audit_event"))
          .map(table -> "select '" + table + "=' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from "
              + table + " t")
          .collect(Collectors.joining(" union all ", "select string_agg(d, ' ') from (", ") as digests(d)"));
      try (ResultSet row = statement.executeQuery(query)) {
        row.next();
        String digest = row.getString(1);
        connection.rollback();
        return digest;
      }
    }
  }
}

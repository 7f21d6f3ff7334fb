package dev.taskcert.server.testing;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Everything a dump of the server's database would show an attacker, as text: every row of every
 * table, the audit log included, with binary columns in PostgreSQL's hex form. Used to show that a
 * secret is in none of it, in any of the encodings a careless implementation might store it in.
 */
public final class DatabaseDump {
  private DatabaseDump() {}

  /** The tables of the server's schema, by name, but Flyway's own. */
  static List<String> tables(Connection connection) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("""
            select table_name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'
              and table_name <> 'flyway_schema_history'
            order by table_name""")) {
      while (rows.next()) {
        tables.add(rows.getString(1));
      }
    }
    return tables;
  }

  /** Every row of every table of {@code env}'s database, one per line. */
  public static String of(TestEnvironment env) throws SQLException {
    StringBuilder dump = new StringBuilder();
    try (Connection connection = env.instance(DataSource.class).getConnection()) {
      for (String table : tables(connection)) {
        try (Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery("select t::text from " + table + " t")) {
          while (rows.next()) {
            dump.append(table).append(": ").append(rows.getString(1)).append('\n');
          }
        }
      }
      connection.rollback();
    }
    return dump.toString();
  }

  /**
   * The ways {@code secret} could appear in a dump: as it is, and its UTF-8 bytes in base64
   * (standard and URL alphabets, padded or not) and in hex (either case).
   */
  public static List<String> encodings(String secret) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    String hex = HexFormat.of().formatHex(bytes);
    return List.of(secret,
        Base64.getEncoder().encodeToString(bytes),
        Base64.getEncoder().withoutPadding().encodeToString(bytes),
        Base64.getUrlEncoder().encodeToString(bytes),
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
        hex, hex.toUpperCase(Locale.ROOT));
  }
}

package dev.taskcert.server.testing;

import dev.taskcert.server.audit.AnonymousRefusals;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * What the audit log says about refused enrollments, which it records per address and kind: one
 * row for the first of a window, one summary row counting the rest.
 */
public final class RefusedEnrollments {
  private static final Pattern SUMMARY = Pattern.compile("^from .*?: (\\d+) more refusals since ");

  private RefusedEnrollments() {}

  /** How many refused enrollments the audit rows account for, once every open window is written. */
  public static long counted(TestEnvironment env) throws SQLException {
    env.instance(AnonymousRefusals.class).flush();
    long total = 0;
    try (Connection connection = env.instance(DataSource.class).getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select detail from audit_event where kind = 'enroll_refused'")) {
      while (rows.next()) {
        total += countOf(rows.getString(1));
      }
      connection.rollback();
    }
    return total;
  }

  /** How many refusals one row records: its count for a summary, 1 for a refusal recorded itself. */
  public static long countOf(String detail) {
    Matcher summary = SUMMARY.matcher(detail);
    return summary.find() ? Long.parseLong(summary.group(1)) : 1;
  }

  /** Whether a row is the count of a window's later refusals rather than one refusal. */
  public static boolean isSummary(String detail) {
    return SUMMARY.matcher(detail).find();
  }

  /** How many audit rows record refused enrollments. */
  public static long rows(TestEnvironment env) throws SQLException {
    return env.count("select count(*) from audit_event where kind = 'enroll_refused'");
  }
}

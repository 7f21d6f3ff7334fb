package dev.taskcert.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.EmbeddedDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** What docs/deployment.md tells an operator to run, for tests that run it as written. */
public final class DeploymentGuide {
  private static final Path GUIDE = Path.of("..", "docs", "deployment.md");

  private DeploymentGuide() {}

  /** The first fenced block in {@code language} under the section headed {@code heading}. */
  public static String block(String heading, String language) throws IOException {
    String text = Files.readString(GUIDE);
    int section = text.indexOf("\n## " + heading + "\n");
    assertTrue(section >= 0, "docs/deployment.md has no section " + heading);
    String fence = "```" + language + "\n";
    int start = text.indexOf(fence, section);
    assertTrue(start >= 0, "no " + language + " block under " + heading);
    start += fence.length();
    return text.substring(start, text.indexOf("```", start));
  }

  /**
   * Creates the database and its two roles with the statements of "The database", as a superuser
   * would run them in psql ({@code \connect} included); answers the database's JDBC URL.
   */
  public static String createDatabase(EmbeddedDatabase database) throws Exception {
    String server = database.jdbcUrl().replaceFirst("\\?.*$", "");
    String url = server;
    StringBuilder statement = new StringBuilder();
    Connection connection = DriverManager.getConnection(url, database.user(), "");
    try {
      connection.setAutoCommit(true);
      for (String line : block("The database", "sql").lines().toList()) {
        if (line.startsWith("\\connect ")) {
          connection.close();
          url = server.replaceFirst("/[^/]+$", "/" + line.substring("\\connect ".length()).strip());
          connection = DriverManager.getConnection(url, database.user(), "");
          connection.setAutoCommit(true);
        } else if (!line.isBlank() && !line.startsWith("--")) {
          statement.append(line).append('\n');
          if (line.strip().endsWith(";")) {
            try (Statement run = connection.createStatement()) {
              run.execute(statement.toString());
            }
            statement.setLength(0);
          }
        }
      }
    } finally {
      connection.close();
    }
    assertTrue(statement.toString().isBlank(), "an unfinished statement in docs/deployment.md: " + statement);
    assertTrue(url.endsWith("/taskcert"), "the documented statements end connected to the taskcert database: " + url);
    return url;
  }
}

package dev.taskcert.server.db;

import dev.taskcert.server.StartupFailure;
import dev.taskcert.server.config.ServerConfig;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/** Turns a failure to reach or use PostgreSQL at start into one line naming the key to fix. */
final class DatabaseFailures {
  private DatabaseFailures() {}

  static StartupFailure atStart(ServerConfig.DatabaseConfig db, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.equals("28P01") || state.equals("28000")) {
          return new StartupFailure("PostgreSQL refused user '" + db.user() + "' at " + db.jdbcUrl()
              + ": check database.user and database.password_file (or database.password)", failure);
        }
        if (state.equals("3D000")) {
          return new StartupFailure("the database in database.url " + db.jdbcUrl()
              + " does not exist: create it (createdb) or fix database.url", failure);
        }
        if (state.equals("42501")) {
          return new StartupFailure("user '" + db.user() + "' may not create the schema at " + db.jdbcUrl()
              + ": run 'taskcert-server migrate' as a role that may, then 'serve --no-migrate'", failure);
        }
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException) {
        return new StartupFailure("cannot reach PostgreSQL at database.url " + db.jdbcUrl() + " ("
            + t.getMessage() + "): is it running, and is the host and port right?", failure);
      }
    }
    return new StartupFailure("cannot use PostgreSQL at database.url " + db.jdbcUrl() + ": "
        + StartupFailure.rootMessage(failure), failure);
  }
}

package dev.taskcert.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.taskcert.server.db.DatabaseModule;
import dev.taskcert.server.testing.FreePorts;
import dev.taskcert.dev.EmbeddedDatabase;
import dev.taskcert.pki.ca.CaDirectory;
import dev.taskcert.pki.ca.KeyAlgorithm;
import dev.taskcert.pki.identity.TrustDomain;
import dev.taskcert.server.secret.SecretBox;
import dev.taskcert.server.testing.CaCommands;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every way a production start commonly goes wrong ends in one {@code error:} line that names the
 * key or file to fix, exit status 1, and nothing done that should not be: the CA and the
 * configuration are checked before the database is touched. Runs {@code taskcert-server} in
 * process against a real PostgreSQL and a real encrypted CA.
 */
class ServerStartupTest {
  private static final String PASSPHRASE = "correct horse battery staple";
  private static Path directory;
  private static EmbeddedDatabase database;
  private static Path ca;
  private static int databaseNumber;

  @BeforeAll
  static void start() throws Exception {
    directory = Files.createTempDirectory("taskcert-startup");
    database = EmbeddedDatabase.start(directory.resolve("pg"));
    ca = directory.resolve("ca");
    Files.writeString(directory.resolve("passphrase"), PASSPHRASE);
    Files.setPosixFilePermissions(directory.resolve("passphrase"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    CaCommands.run("init", "--ca-dir", ca.toString(), "--trust-domain", "startup.example",
        "--passphrase-file", directory.resolve("passphrase").toString(),
        "--root-key-out", directory.resolve("root").toString(),
        "--root-passphrase-file", directory.resolve("passphrase").toString());
    SecretBox.loadOrCreate(directory.resolve("secret.key"), new SecureRandom());
  }

  @AfterAll
  static void stop() throws Exception {
    database.close();
  }

  private record Result(int exit, String out, String err) {
    /** The one error line; fails unless there is exactly one line on stderr and it is an error. */
    String error() {
      List<String> lines = err.lines().toList();
      assertEquals(1, lines.size(), "one line on stderr:\n" + err);
      assertTrue(lines.get(0).startsWith("error: "), err);
      assertEquals(1, exit, err);
      return lines.get(0);
    }
  }

  /** A fresh, empty database, so that each case can see whether it was touched. */
  private static String freshDatabase() throws Exception {
    String name = "startup_" + (++databaseNumber);
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      statement.execute("create database " + name);
    }
    return urlOf(name);
  }

  /** The URL of database {@code name}, with no user in it: the configuration's database.user applies. */
  private static String urlOf(String name) {
    return database.jdbcUrl().replaceFirst("/[^/?]+(\\?.*)?$", "/" + name);
  }

  private static boolean migrated(String url) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, database.user(), "");
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("select to_regclass('flyway_schema_history') is not null")) {
      row.next();
      return row.getBoolean(1);
    }
  }

  /** A working configuration on a fresh database, with {@code changes} applied (a null value drops the key). */
  private static Map<String, String> config(String url, String... changes) throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("trust_domain", "startup.example");
    keys.put("execution_port", Integer.toString(FreePorts.next()));
    keys.put("enrollment_port", Integer.toString(FreePorts.next()));
    keys.put("ca_directory", ca.toString());
    keys.put("ca.passphrase_file", directory.resolve("passphrase").toString());
    keys.put("secret_key_file", directory.resolve("secret.key").toString());
    keys.put("database.url", url);
    keys.put("database.user", database.user());
    for (int i = 0; i + 1 < changes.length; i += 2) {
      if (changes[i + 1] == null) {
        keys.remove(changes[i]);
      } else {
        keys.put(changes[i], changes[i + 1]);
      }
    }
    return keys;
  }

  private static Result server(Map<String, String> environment, Map<String, String> config, String... args)
      throws Exception {
    Path file = Files.createTempFile(directory, "taskcert", ".properties");
    StringBuilder text = new StringBuilder();
    config.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    Files.writeString(file, text);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--config");
    all.add(file.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // A start that wrongly succeeds would serve until stopped: give up (interrupting it) instead.
    int exit = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ServerCli.commandLine(environment)
        .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(all.toArray(String[]::new)),
        () -> "taskcert-server " + all + " did not stop:\n" + err);
    return new Result(exit, out.toString(), err.toString());
  }

  private static Result serve(Map<String, String> config) throws Exception {
    return server(Map.of(), config, "serve");
  }

  @Test
  void aWrongPassphraseStopsTheStartBeforeTheDatabaseIsTouched() throws Exception {
    String url = freshDatabase();
    Path wrong = directory.resolve("wrong-passphrase");
    Files.writeString(wrong, "not the passphrase at all");
    Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    String error = serve(config(url, "ca.passphrase_file", wrong.toString())).error();
    assertTrue(error.contains("wrong passphrase") && error.contains(wrong.toString()), error);
    assertFalse(migrated(url), "the schema was created although the CA could not be loaded");
  }

  @Test
  void aTrustDomainOtherThanTheCasIsRefused() throws Exception {
    String url = freshDatabase();
    String error = serve(config(url, "trust_domain", "other.example")).error();
    assertTrue(error.contains("trust_domain") && error.contains("set trust_domain=startup.example"), error);
    assertFalse(migrated(url));
  }

  @Test
  void aMissingBundleOrPassphraseFileNamesTheFileAndWhy() throws Exception {
    Path copy = directory.resolve("ca-without-bundle");
    copyTree(ca, copy);
    Files.delete(copy.resolve("bundle.pem"));
    String error = serve(config(freshDatabase(), "ca_directory", copy.toString())).error();
    assertTrue(error.contains("ca_directory") && error.contains("bundle.pem"), error);
    String missing = serve(config(freshDatabase(), "ca.passphrase_file", "/nonexistent/passphrase")).error();
    assertTrue(missing.contains("ca.passphrase_file") && missing.contains("/nonexistent/passphrase does not exist"),
        missing);
  }

  @Test
  void anExpiredIntermediateIsRefusedWithTheFix() throws Exception {
    Path old = directory.resolve("expired-ca");
    new CaDirectory(old).loadOrInitialize(new TrustDomain("startup.example"), KeyAlgorithm.EC_P256,
        Instant.now().minus(Duration.ofDays(400)), new SecureRandom());
    String error = serve(config(freshDatabase(), "ca_directory", old.toString(), "ca.passphrase_file", null,
        "ca.allow_unencrypted_key", "true")).error();
    assertTrue(error.contains("expired") && error.contains("rotate-intermediate"), error);
  }

  @Test
  void anUnencryptedCaKeyIsRefusedUnlessExplicitlyAllowed() throws Exception {
    Path plain = directory.resolve("unencrypted-ca");
    new CaDirectory(plain).loadOrInitialize(new TrustDomain("startup.example"), KeyAlgorithm.EC_P256,
        Instant.now(), new SecureRandom());
    String url = freshDatabase();
    String error = serve(config(url, "ca_directory", plain.toString(), "ca.passphrase_file", null)).error();
    assertEquals("error: ca_directory " + plain + ": no CA key passphrase is configured, so the CA key would be"
        + " loaded unencrypted; set ca.passphrase_file or ca.passphrase_env, or ca.allow_unencrypted_key=true for a"
        + " development CA", error);
    assertFalse(migrated(url), "the schema was created although the CA was refused");
    // Allowed explicitly, the key loads: the next check (the trust domain) is what stops this start.
    String next = serve(config(url, "ca_directory", plain.toString(), "ca.passphrase_file", null,
        "ca.allow_unencrypted_key", "true", "trust_domain", "other.example")).error();
    assertTrue(next.contains("set trust_domain=startup.example"), next);
  }

  @Test
  void anUnreachableOrRefusingDatabaseNamesTheKey() throws Exception {
    String down = serve(config("jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/taskcert")).error();
    assertTrue(down.contains("cannot reach PostgreSQL at database.url"), down);
    String user = serve(config(freshDatabase(), "database.user", "nobody_here")).error();
    assertTrue(user.contains("refused user 'nobody_here'") && user.contains("database.user"), user);
    String missing = serve(config(urlOf("no_such_db"))).error();
    assertTrue(missing.contains("does not exist"), missing);
  }

  @Test
  void aWrongDatabasePasswordNamesTheKeys() throws Exception {
    // Password authentication for one role (the embedded server trusts everyone else).
    Path hba = directory.resolve("pg/pg_hba.conf");
    Files.writeString(hba, "host all secure_user 127.0.0.1/32 scram-sha-256\nhost all secure_user ::1/128 scram-sha-256\n"
        + Files.readString(hba));
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      statement.execute("create role secure_user login password 'the right one'");
      statement.execute("select pg_reload_conf()");
    }
    Path password = directory.resolve("db-password");
    Files.writeString(password, "a wrong one\n");
    String error = serve(config(freshDatabase(), "database.user", "secure_user",
        "database.password_file", password.toString())).error();
    assertTrue(error.contains("refused user 'secure_user'") && error.contains("database.password_file"), error);
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      String error = serve(config(freshDatabase(), "execution_port", Integer.toString(taken.getLocalPort()))).error();
      assertTrue(error.contains("execution_port " + taken.getLocalPort() + " on 127.0.0.1 cannot be bound"), error);
    }
  }

  @Test
  void unknownKeysVariablesAndUnreadableFilesAreErrors() throws Exception {
    String variable = server(Map.of("TASKCERT_DATABASE_PASWORD", "x"), config(freshDatabase()), "serve").error();
    assertTrue(variable.contains("TASKCERT_DATABASE_PASWORD"), variable);
    String key = serve(config(freshDatabase(), "databse.url", "x")).error();
    assertTrue(key.contains("databse.url"), key);
    StringWriter err = new StringWriter();
    int exit = ServerCli.commandLine(Map.of()).setErr(new PrintWriter(err))
        .execute("serve", "--config", "/nonexistent/taskcert.properties");
    assertEquals(1, exit);
    assertEquals("error: cannot read the configuration /nonexistent/taskcert.properties: no such file", err.toString().strip());
    // taskcert-admin's variables may share the environment
    Result admin = server(Map.of("TASKCERT_ADMIN_TARGET", "x:1"), config("jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/x"),
        "serve");
    assertTrue(admin.error().contains("cannot reach PostgreSQL"), admin.err());
  }

  @Test
  void migrateThenServeWithoutMigratingAndCheckTheConfiguration() throws Exception {
    String url = freshDatabase();
    String refused = server(Map.of(), config(url), "serve", "--no-migrate").error();
    assertTrue(refused.contains("run 'taskcert-server migrate"), refused);
    assertFalse(migrated(url));

    // The version printed and logged is the newest migration's, compared as a version (10 after 9).
    String latest = latestMigration();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger databaseLog = (Logger) LoggerFactory.getLogger(DatabaseModule.class);
    databaseLog.addAppender(log);
    try {
      Result migrate = server(Map.of(), config(url), "migrate");
      assertEquals(0, migrate.exit(), migrate.err());
      assertEquals("database schema at version " + latest, migrate.out().strip());
      assertTrue(migrated(url));
      Result again = server(Map.of(), config(url), "migrate");
      assertEquals("database schema at version " + latest, again.out().strip());
    } finally {
      databaseLog.detachAppender(log);
    }
    List<String> logged = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(2, logged.size(), logged.toString());
    assertTrue(logged.get(0).matches("Database schema at version " + latest + " \\(\\d+ migrations applied now\\)"),
        logged.toString());
    assertEquals("Database schema at version " + latest + " (current, nothing to migrate)", logged.get(1));

    Result check = server(Map.of(), config(url), "serve", "--check-config");
    assertEquals(0, check.exit(), check.err());
    assertTrue(check.out().startsWith("configuration: OK"), check.out());
    assertTrue(check.out().contains("trust domain:  startup.example"), check.out());
    assertTrue(check.out().contains("secret key:    " + directory.resolve("secret.key")), check.out());
    assertTrue(check.out().contains("database:      reachable, schema at version " + latest + " (current)"), check.out());
  }

  /** The newest migration the server ships, from the migration files' names. */
  private static String latestMigration() throws Exception {
    try (var files = Files.list(Path.of("..", "server", "src", "main", "resources", "db", "migration"))) {
      int latest = files.map(file -> file.getFileName().toString()).filter(name -> name.matches("V\\d+__.*\\.sql"))
          .mapToInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__")))).max().orElseThrow();
      assertTrue(latest >= 10, "V1 to V10 at least: " + latest);
      return Integer.toString(latest);
    }
  }

  @Test
  void aBadSecretKeyFileStopsTheStartBeforeTheDatabaseIsTouchedAndFailsTheCheck() throws Exception {
    Path directoryInstead = Files.createDirectories(directory.resolve("secret-key-directory"));
    Path groupReadable = keyFile("group-readable.key", Base64.getEncoder().encodeToString(new byte[32]), "rw-r-----");
    Path notBase64 = keyFile("not-base64.key", "not base64 at all!", "rw-------");
    Path tooShort = keyFile("short.key", Base64.getEncoder().encodeToString(new byte[16]), "rw-------");
    Map<Path, String> problems = new LinkedHashMap<>();
    problems.put(Path.of("/nonexistent/secret.key"), " does not exist: restore it from the backup, or for a new installation"
        + " create one with 'head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE'");
    problems.put(directoryInstead, " is a directory, not a file: point it at the key file");
    problems.put(groupReadable, " is readable by group or others (rw-r-----); run chmod 600 on it");
    problems.put(notBase64, " is not base64: it must hold 32 random bytes in base64");
    problems.put(tooShort, " must hold 32 bytes (base64), found 16");
    for (Map.Entry<Path, String> problem : problems.entrySet()) {
      String url = freshDatabase();
      Map<String, String> config = config(url, "secret_key_file", problem.getKey().toString());
      String error = serve(config).error();
      assertTrue(error.startsWith("error: secret_key_file " + problem.getKey() + problem.getValue()), error);
      assertFalse(migrated(url), "the schema was created although the secret key was refused: " + error);
      assertEquals(error, server(Map.of(), config, "serve", "--check-config").error());
    }
    // Read-only and readable by the server's own group only: a Kubernetes Secret mounted with an
    // fsGroup. The CA and the key pass; the next check (the database) is what stops this start.
    Path mounted = keyFile("mounted.key", Base64.getEncoder().encodeToString(new byte[32]), "r--r-----");
    String next = serve(config("jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/taskcert",
        "secret_key_file", mounted.toString())).error();
    assertTrue(next.contains("cannot reach PostgreSQL"), next);
  }

  private static Path keyFile(String name, String content, String permissions) throws Exception {
    Path file = directory.resolve(name);
    Files.writeString(file, content + "\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
    return file;
  }

  @Test
  void aBadValueFromTheEnvironmentNamesItsVariable() throws Exception {
    String error = server(Map.of("TASKCERT_CERTIFICATE_LIFETIME", "PT25H"), config(freshDatabase()), "serve").error();
    assertEquals("error: certificate.lifetime (set by TASKCERT_CERTIFICATE_LIFETIME): certificate lifetime must be"
        + " positive and at most PT24H, got PT25H", error);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}

package dev.taskcert.server.connection;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static dev.taskcert.server.testing.Statuses.statusOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetConnectionResponse;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.secret.SecretBox;
import dev.taskcert.server.testing.DatabaseDump;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectionServiceTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  @BeforeAll
  static void start() throws Exception {
    env.admin().setConnection(AdminSetConnectionRequest.newBuilder().setConnId("analytics_warehouse")
        .setTeam("analytics").setConnType("postgres").setHost("db.analytics").setSchema("events")
        .setLogin("etl").setPassword("s3cret-analytics").setPort(5432)
        .setExtraJson("{\"sslmode\": \"require\", \"api_token\": \"xtra-t0ken-analytics\"}").build());
    env.admin().setConnection(AdminSetConnectionRequest.newBuilder().setConnId("shared_smtp")
        .setConnType("smtp").setHost("mail").setPassword("mail-pass").build());
  }

  private static GetConnectionRequest get(String id) {
    return GetConnectionRequest.newBuilder().setConnId(id).build();
  }

  @Test
  void readsOwnTeamConnectionWithDecryptedPassword() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      GetConnectionResponse connection = task.connections().getConnection(get("analytics_warehouse"));
      assertEquals("postgres", connection.getConnType());
      assertEquals("db.analytics", connection.getHost());
      assertEquals("events", connection.getSchema());
      assertEquals("etl", connection.getLogin());
      assertEquals("s3cret-analytics", connection.getPassword());
      assertEquals(5432, connection.getPort());
      assertTrue(connection.getExtraJson().contains("\"sslmode\": \"require\""), connection.getExtraJson());
      assertTrue(connection.getExtraJson().contains("xtra-t0ken-analytics"), connection.getExtraJson());
    }
  }

  @Test
  void readsGlobalConnection() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      assertEquals("mail-pass", task.connections().getConnection(get("shared_smtp")).getPassword());
    }
  }

  /** Another team's connection is answered exactly like an absent one; only the audit row names its team. */
  @Test
  void refusesAnotherTeamsConnectionAsIfItDidNotExist() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      Status hidden = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.connections().getConnection(get("analytics_warehouse")));
      assertEquals("connection 'analytics_warehouse' not found", hidden.getDescription());
      assertEquals("connection:analytics_warehouse", env.audit(1).get(0).resource());
      assertTrue(env.audit(1).get(0).detail().contains("team 'analytics'"), env.audit(1).get(0).detail());
      Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.connections().getConnection(get("analytics_warehousf")));
      assertEquals("connection 'analytics_warehousf' not found", absent.getDescription());
    }
  }

  @Test
  void refusesUndeclaredConnectionWhenTheDagDeclaresItsResources() throws Exception {
    env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId())
        .setBundle("payments-dags").setDeclaresResources(true).addAllowedConnectionIds("payments_db").build());
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      Status status = statusOf(() -> task.connections().getConnection(get("shared_smtp")));
      assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
      assertTrue(status.getDescription().contains("not declared"), status.getDescription());
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.connections().getConnection(get("nonexistent")));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.connections().getConnection(get("payments_db")));
    } finally {
      env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId())
          .setBundle("payments-dags").build());
    }
  }

  @Test
  void reportsAbsentConnectionAndMalformedIds() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.connections().getConnection(get("nope")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.connections().getConnection(get("")));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.connections().getConnection(get("x".repeat(251))));
    }
  }

  @Test
  void storesPasswordsSealedToTheirRowUnderTheServerKey() throws Exception {
    byte[] stored;
    try (Connection db = env.instance(DataSource.class).getConnection();
        Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery(
            "select password_encrypted from connection where conn_id = 'analytics_warehouse'")) {
      rows.next();
      stored = rows.getBytes(1);
      db.rollback();
    }
    SecretBox box = env.instance(SecretBox.class);
    assertEquals("s3cret-analytics", box.open(stored, "analytics_warehouse"));
    assertThrows(IllegalStateException.class, () -> box.open(stored, "shared_smtp"),
        "a ciphertext copied to another connection must not open");
  }

  /** Extras are sealed to their row and field, as passwords are; the plaintext column holds only {}. */
  @Test
  void storesExtrasSealedToTheirRowAndField() throws Exception {
    byte[] sealedExtra;
    byte[] sealedPassword;
    String plaintext;
    try (Connection db = env.instance(DataSource.class).getConnection();
        Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery(
            "select extra_sealed, password_encrypted, extra::text from connection where conn_id = 'analytics_warehouse'")) {
      rows.next();
      sealedExtra = rows.getBytes(1);
      sealedPassword = rows.getBytes(2);
      plaintext = rows.getString(3);
      db.rollback();
    }
    assertEquals("{}", plaintext);
    SecretBox box = env.instance(SecretBox.class);
    assertTrue(box.open(sealedExtra, "analytics_warehouse\0extra").contains("xtra-t0ken-analytics"));
    assertThrows(IllegalStateException.class, () -> box.open(sealedExtra, "shared_smtp\0extra"),
        "an extra copied to another connection must not open");
    assertThrows(IllegalStateException.class, () -> box.open(sealedExtra, "analytics_warehouse"),
        "an extra copied into the password column must not open as the password");
    assertThrows(IllegalStateException.class, () -> box.open(sealedPassword, "analytics_warehouse\0extra"),
        "a password copied into the extra column must not open as the extra");
  }

  /** A row written before extras were sealed still serves its plaintext extra until it is set again. */
  @Test
  void servesAPlaintextExtraWrittenBeforeSealingUntilTheConnectionIsSetAgain() throws Exception {
    try (Connection db = env.instance(DataSource.class).getConnection(); Statement statement = db.createStatement()) {
      statement.executeUpdate("insert into connection (conn_id, team_id, conn_type, extra) values ('legacy_api', "
          + "(select id from team where name = 'analytics'), 'http', '{\"token\": \"legacy-t0ken\"}')");
      db.commit();
    }
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      assertEquals("{\"token\": \"legacy-t0ken\"}", task.connections().getConnection(get("legacy_api")).getExtraJson());
      env.admin().setConnection(AdminSetConnectionRequest.newBuilder().setConnId("legacy_api").setTeam("analytics")
          .setConnType("http").setExtraJson("{\"token\": \"legacy-t0ken\"}").build());
      assertEquals("{\"token\": \"legacy-t0ken\"}", task.connections().getConnection(get("legacy_api")).getExtraJson());
    }
    assertEquals(0, env.count("select count(*) from connection where extra::text like '%legacy-t0ken%'"));
    assertEquals(1, env.count("select count(*) from connection where conn_id = 'legacy_api' and extra_sealed is not null"));
  }

  @Test
  void aDatabaseDumpRevealsNoPassword() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      assertEquals("s3cret-analytics", task.connections().getConnection(get("analytics_warehouse")).getPassword());
    }
    String dump = DatabaseDump.of(env);
    assertTrue(dump.contains("analytics_warehouse"), "the dump holds the connection rows");
    for (String secret : List.of("s3cret-analytics", "mail-pass", "xtra-t0ken-analytics")) {
      for (String encoded : DatabaseDump.encodings(secret)) {
        assertFalse(dump.contains(encoded), "the dump reveals " + secret + " as " + encoded);
      }
    }
  }
}

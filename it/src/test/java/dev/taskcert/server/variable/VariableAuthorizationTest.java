package dev.taskcert.server.variable;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.catalog.Catalog;
import dev.taskcert.server.catalog.DagRegistration;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysResponse;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.Variable;
import io.grpc.Status;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class VariableAuthorizationTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  @Test
  void readsOwnTeamVariable() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.ANALYTICS)) {
      Variable variable = session.client().getVariable("analytics_bucket");
      assertEquals("s3://analytics-raw-events", variable.value());
      assertEquals(Optional.of("analytics"), variable.team());
    }
  }

  @Test
  void readsGlobalVariable() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.PAYMENTS)) {
      Variable variable = session.client().getVariable(DemoData.GLOBAL_VARIABLE);
      assertEquals("dev", variable.value());
      assertEquals(Optional.empty(), variable.team());
    }
  }

  /** Another team's variable is answered exactly like an absent one; only the audit row names its team. */
  @Test
  void refusesAnotherTeamsVariableAsIfItDidNotExistAndAuditsIt() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      Status hidden = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.variables().getVariable(GetVariableRequest.newBuilder().setKey("payments_api_url").build()));
      assertEquals("variable 'payments_api_url' not found", hidden.getDescription());
      AuditEventRow audit = env.audit(1).get(0);
      assertEquals("deny", audit.kind());
      assertEquals(task.spiffeId(), audit.principal());
      assertEquals("taskcert.execution.v1.Variables/GetVariable", audit.rpc());
      assertEquals("variable:payments_api_url", audit.resource());
      assertTrue(audit.detail().contains("team 'payments'"), audit.detail());
      assertTrue(!audit.detail().contains("ledger.payments.example"), "no secret values in the audit trail");

      Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.variables().getVariable(GetVariableRequest.newBuilder().setKey("payments_api_urm").build()));
      assertEquals("variable 'payments_api_urm' not found", absent.getDescription());
    }
  }

  /** Writing another team's variable is refused without naming the owner, who is in the audit row only. */
  @Test
  void refusesWritingAnotherTeamsVariableWithoutNamingItsTeam() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      Status denied = refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey("payments_api_url").setValue("https://evil").build()));
      assertFalse(denied.getDescription().contains("payments'"), denied.getDescription());
      assertTrue(env.audit(1).get(0).detail().contains("team 'payments'"), env.audit(1).get(0).detail());
    }
  }

  @Test
  void reportsAbsentVariableAsNotFound() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.ANALYTICS)) {
      refusedWithoutChange(env, TaskcertException.NotFound.class, Status.Code.NOT_FOUND,
          () -> session.client().getVariable("no_such_key"));
    }
  }

  @Test
  void rejectsMalformedKeys() throws Exception {
    try (TaskSession session = env.startedSession(DemoData.ANALYTICS)) {
      refusedWithoutChange(env, TaskcertException.InvalidRequest.class, Status.Code.INVALID_ARGUMENT,
          () -> session.client().getVariable(""));
      refusedWithoutChange(env, TaskcertException.InvalidRequest.class, Status.Code.INVALID_ARGUMENT,
          () -> session.client().getVariable("k".repeat(VariableService.MAX_KEY_BYTES + 1)));
    }
  }

  @Test
  void enforcesTheDagsDeclaredVariables() throws Exception {
    Catalog catalog = env.instance(Catalog.class);
    catalog.registerDag(new DagRegistration(
        "declared_dag", "analytics-dags", true, List.of(), List.of("analytics_*"), "TEAM"));
    catalog.createDagRun("declared_dag", "manual__1", Instant.parse("2026-11-25T00:00:00Z"), "manual");
    QueuedTry queued = env.dev().taskQueue().queue("declared_dag", "manual__1", "only_task", -1, 1, null);
    try (TaskSession session = TaskSession.open(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom())) {
      session.client().startTask("worker-1", 7, "airflow");
      assertEquals("s3://analytics-raw-events", session.client().getVariable("analytics_bucket").value());
      TaskcertException e = refusedWithoutChange(env, TaskcertException.PermissionDenied.class,
          Status.Code.PERMISSION_DENIED, () -> session.client().getVariable(DemoData.GLOBAL_VARIABLE));
      assertTrue(e.getMessage().contains("not declared"), e.getMessage());
    }
  }

  @Test
  void writesAndDeletesOnlyOwnTeamVariables() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      task.variables().setVariable(SetVariableRequest.newBuilder().setKey("analytics_new").setValue("v1").build());
      assertEquals(1, env.count("select count(*) from variable v join team t on t.id = v.team_id "
          + "where v.key = 'analytics_new' and t.name = 'analytics'"));
      task.variables().setVariable(SetVariableRequest.newBuilder().setKey("analytics_new").setValue("v2").build());
      assertEquals("v2", task.variables().getVariable(GetVariableRequest.newBuilder().setKey("analytics_new").build())
          .getValue());

      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey("payments_api_url").setValue("https://evil").build()));
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).setValue("prod").build()));
      refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> task.variables().deleteVariable(
          DeleteVariableRequest.newBuilder().setKey("payments_api_url").build()));
      assertEquals(1, env.count("select count(*) from variable where key = 'payments_api_url' "
          + "and value = 'https://ledger.payments.example/api'"));
      assertEquals(1, env.count("select count(*) from variable where key = 'platform_environment' and value = 'dev'"));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.variables().setVariable(
          SetVariableRequest.newBuilder().setKey("big").setValue("x".repeat(VariableService.MAX_VALUE_BYTES + 1)).build()));

      assertTrue(task.variables().deleteVariable(DeleteVariableRequest.newBuilder().setKey("analytics_new").build())
          .getDeleted());
      assertFalse(task.variables().deleteVariable(DeleteVariableRequest.newBuilder().setKey("analytics_new").build())
          .getDeleted());
    }
  }

  @Test
  void listsOnlyVisibleKeysAPageAtATime() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      for (String key : List.of("payments_a", "payments_b", "payments_c")) {
        task.variables().setVariable(SetVariableRequest.newBuilder().setKey(key).setValue("1").build());
      }
      ListVariableKeysResponse all = task.variables().listVariableKeys(ListVariableKeysRequest.newBuilder().build());
      assertTrue(all.getKeysList().containsAll(List.of("payments_a", "payments_api_url", DemoData.GLOBAL_VARIABLE)));
      assertFalse(all.getKeysList().contains("analytics_bucket"), all.getKeysList().toString());

      ListVariableKeysResponse first = task.variables().listVariableKeys(
          ListVariableKeysRequest.newBuilder().setPrefix("payments_").setPageSize(2).build());
      assertEquals(List.of("payments_a", "payments_api_url"), first.getKeysList());
      ListVariableKeysResponse second = task.variables().listVariableKeys(ListVariableKeysRequest.newBuilder()
          .setPrefix("payments_").setPageSize(2).setPageToken(first.getNextPageToken()).build());
      assertEquals(List.of("payments_b", "payments_c"), second.getKeysList());
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.variables().listVariableKeys(
          ListVariableKeysRequest.newBuilder().setPageSize(1001).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.variables().listVariableKeys(
          ListVariableKeysRequest.newBuilder().setPageToken("%%%").build()));
      // LIKE wildcards in the prefix are literal.
      assertEquals(List.of(), task.variables().listVariableKeys(
          ListVariableKeysRequest.newBuilder().setPrefix("payments%").build()).getKeysList());
    }
  }
}

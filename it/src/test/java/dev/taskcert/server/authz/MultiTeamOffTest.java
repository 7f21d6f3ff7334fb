package dev.taskcert.server.authz;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With multi-team off, team checks are skipped but declarations, ownership and task state still apply. */
class MultiTeamOffTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment(builder -> builder.multiTeam(false));


  @Test
  void readsAcrossTeamsButKeepsOwnershipAndStateChecks() throws Exception {
    try (TestTask analytics = env.startTask(DemoData.ANALYTICS); TestTask payments = env.startTask(DemoData.PAYMENTS)) {
      assertEquals("https://ledger.payments.example/api", analytics.variables()
          .getVariable(GetVariableRequest.newBuilder().setKey("payments_api_url").build()).getValue());
      payments.xcoms().setXCom(SetXComRequest.newBuilder().setKey("k").setValueJson("1").build());
      GetXComRequest read = GetXComRequest.newBuilder().setRef(XComRef.newBuilder()
          .setDagId(DemoData.PAYMENTS.dagId()).setRunId(DemoData.RUN_ID)
          .setTaskId(DemoData.PAYMENTS.taskId()).setKey("k")).build();
      assertEquals("1", analytics.xcoms().getXCom(read).getValueJson());
      // The write landed under the writer's own task, taken from its certificate.
      assertEquals(1, env.count("select count(*) from xcom where task_id = '" + DemoData.PAYMENTS.taskId() + "'"));

      analytics.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> analytics.xcoms().getXCom(read));
    }
  }

  @Test
  void declarationsStillApply() throws Exception {
    GetVariableRequest otherTeams = GetVariableRequest.newBuilder().setKey("analytics_bucket").build();
    try (TestTask payments = env.startTask(DemoData.PAYMENTS)) {
      // Without a declaration, multi-team off lets a task read another team's variable...
      payments.variables().getVariable(otherTeams);
      env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId())
          .setBundle("payments-dags").setDeclaresResources(true).addAllowedVariablePatterns("payments_*").build());
      try {
        // ...and once its DAG declares what it reads, only that: the declaration is what refuses.
        assertEquals("https://ledger.payments.example/api", payments.variables()
            .getVariable(GetVariableRequest.newBuilder().setKey("payments_api_url").build()).getValue());
        refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> payments.variables().getVariable(otherTeams));
      } finally {
        env.admin().registerDag(RegisterDagRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId())
            .setBundle("payments-dags").build());
      }
    }
  }

  @Test
  void everyAssetIsVisibleToEveryTeam() throws Exception {
    String name = "team_off_asset_" + System.nanoTime();
    env.assetAdmin().registerAsset(dev.taskcert.proto.admin.v1.RegisterAssetRequest.newBuilder().setName(name)
        .setUri("s3://" + name).setTeam("payments").build());
    try (TestTask analytics = env.startTask(DemoData.ANALYTICS)) {
      assertEquals("s3://" + name, analytics.session().client().getAssetByName(name).uri());
      analytics.session().client().setAssetStoreValue(
          dev.taskcert.supervisor.client.AssetKey.byName(name), "seen", "true");
    }
  }
}

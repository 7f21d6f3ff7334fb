package dev.taskcert.server.asset;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.admin.v1.RegisterAssetRequest;
import dev.taskcert.proto.execution.v1.AssetOutlet;
import dev.taskcert.proto.execution.v1.AssetRef;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetAssetByNameRequest;
import dev.taskcert.proto.execution.v1.GetAssetByUriRequest;
import dev.taskcert.proto.execution.v1.GetAssetEventsByAliasRequest;
import dev.taskcert.proto.execution.v1.GetAssetEventsRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.audit.AuditEventRow;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.client.Asset;
import dev.taskcert.supervisor.client.AssetEvent;
import dev.taskcert.supervisor.client.AssetEventFilter;
import dev.taskcert.supervisor.client.AssetKey;
import dev.taskcert.supervisor.client.AssetOutletEvent;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Assets and asset events across the team boundary, and outlet events written on SUCCESS. */
class AssetServiceTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Registers an asset named {@code name} (URI {@code s3://<name>}) of {@code team} (empty = global). */
  private static void register(String name, String team, String... sharedWith) {
    env.assetAdmin().registerAsset(RegisterAssetRequest.newBuilder().setName(name).setUri("s3://" + name)
        .setExtraJson("{\"owner\": \"" + team + "\"}").setTeam(team).addAllSharedWithTeams(List.of(sharedWith))
        .build());
  }

  private static TaskSession session(DemoData.DemoTask team) throws Exception {
    return env.startedSession(team, unique("asset_task"), Clock.systemUTC());
  }

  @Test
  void readsGlobalOwnAndSharedAssetsByNameAndUri() throws Exception {
    String global = unique("global");
    String own = unique("analytics");
    String shared = unique("payments_shared");
    register(global, "");
    register(own, "analytics");
    register(shared, "payments", "analytics");
    try (TaskSession session = session(DemoData.ANALYTICS)) {
      assertEquals(new Asset(global, "s3://" + global, "asset", "{\"owner\": \"\"}"),
          session.client().getAssetByName(global));
      assertEquals(own, session.client().getAssetByUri("s3://" + own).name());
      assertEquals("s3://" + shared, session.client().getAssetByName(shared).uri());
    }
  }

  /** Another team's unshared asset answers exactly like an absent one; only the audit row names its owner. */
  @Test
  void anotherTeamsAssetReadsAsAbsent() throws Exception {
    String hidden = unique("payments_only");
    register(hidden, "payments");
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      Status byName = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.assets().getAssetByName(GetAssetByNameRequest.newBuilder().setName(hidden).build()));
      assertEquals("asset '" + hidden + "' not found", byName.getDescription());
      AuditEventRow audit = env.audit(1).get(0);
      assertEquals("taskcert.execution.v1.Assets/GetAssetByName", audit.rpc());
      assertEquals("asset:" + hidden, audit.resource());
      assertTrue(audit.detail().contains("team 'payments'"), audit.detail());

      Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.assets().getAssetByName(GetAssetByNameRequest.newBuilder().setName(hidden + "x").build()));
      assertEquals("asset '" + hidden + "x' not found", absent.getDescription());

      Status byUri = refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> task.assets().getAssetByUri(GetAssetByUriRequest.newBuilder().setUri("s3://" + hidden).build()));
      assertEquals("asset with URI 's3://" + hidden + "' not found", byUri.getDescription());

      Status events = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.assets().getAssetEvents(
          GetAssetEventsRequest.newBuilder().setAsset(AssetRef.newBuilder().setName(hidden)).build()));
      assertEquals("asset '" + hidden + "' not found", events.getDescription());
    }
  }

  @Test
  void successRecordsOutletEventsThatTasksReadWithAirflowsFilters() throws Exception {
    String asset = unique("daily_table");
    String alias = unique("alias");
    register(asset, "analytics");
    try (TaskSession producer = session(DemoData.ANALYTICS)) {
      producer.client().succeedTask(List.of(new AssetOutletEvent(AssetKey.byName(asset), "{\"rows\": 1}",
          Optional.of(alias))));
    }
    env.clock.advance(Duration.ofSeconds(2));
    try (TaskSession producer = session(DemoData.ANALYTICS)) {
      producer.client().succeedTask(List.of(new AssetOutletEvent(AssetKey.byUri("s3://" + asset), "", Optional.empty())));
    }
    try (TaskSession reader = session(DemoData.ANALYTICS)) {
      List<AssetEvent> all = reader.client().getAssetEvents(AssetKey.byName(asset), AssetEventFilter.all());
      assertEquals(2, all.size());
      assertEquals("{\"rows\": 1}", all.get(0).extraJson());
      assertTrue(all.get(1).timestamp().isAfter(all.get(0).timestamp().plusSeconds(1)), all.toString());
      Instant first = all.get(0).timestamp();
      Instant second = all.get(1).timestamp();
      assertEquals("{}", all.get(1).extraJson());
      assertEquals(DemoData.ANALYTICS.dagId(), all.get(0).source().orElseThrow().dagId());
      assertEquals(asset, all.get(1).asset().name());

      assertEquals(List.of(all.get(1).id()), ids(reader.client().getAssetEvents(new AssetKey(asset, "s3://" + asset),
          new AssetEventFilter(Optional.of(second), Optional.empty(), true, 0))));
      assertEquals(List.of(all.get(0).id()), ids(reader.client().getAssetEvents(AssetKey.byUri("s3://" + asset),
          new AssetEventFilter(Optional.empty(), Optional.of(first), true, 0))));
      assertEquals(List.of(all.get(1).id()), ids(reader.client().getAssetEvents(AssetKey.byName(asset),
          new AssetEventFilter(Optional.empty(), Optional.empty(), false, 1))));

      List<AssetEvent> throughAlias = reader.client().getAssetEventsByAlias(alias, AssetEventFilter.all());
      assertEquals(List.of(all.get(0).id()), ids(throughAlias));
      assertEquals(List.of(), reader.client().getAssetEventsByAlias(alias + "_none", AssetEventFilter.all()));
    }
    // The events are analytics's: payments finds neither the asset nor the alias's events.
    try (TaskSession other = session(DemoData.PAYMENTS)) {
      assertEquals(List.of(), other.client().getAssetEventsByAlias(alias, AssetEventFilter.all()));
    }
  }

  @Test
  void refusedOutletsLeaveTheTryRunningAndRecordNothing() throws Exception {
    String hidden = unique("payments_out");
    String own = unique("analytics_out");
    register(hidden, "payments");
    register(own, "analytics");
    try (TestTask task = env.startTask(env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID,
        unique("outlets"), -1, 1, null))) {
      Status concealed = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.taskInstances().finishTask(
          success(AssetOutlet.newBuilder().setAsset(AssetRef.newBuilder().setName(hidden)).build())));
      assertEquals("asset '" + hidden + "' not found", concealed.getDescription());
      Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.taskInstances().finishTask(
          success(AssetOutlet.newBuilder().setAsset(AssetRef.newBuilder().setName(hidden + "x")).build())));
      assertEquals("asset '" + hidden + "x' not found", absent.getDescription());
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(
          FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED)
              .addOutlets(AssetOutlet.newBuilder().setAsset(AssetRef.newBuilder().setName(own))).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(
          success(AssetOutlet.newBuilder().setAsset(AssetRef.newBuilder().setName(own)).setExtraJson("[1]").build())));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(
          success(AssetOutlet.newBuilder().setAsset(AssetRef.getDefaultInstance()).build())));
      FinishTaskRequest.Builder tooMany = FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS);
      for (int i = 0; i <= AssetOutlets.MAX_OUTLETS; i++) {
        tooMany.addOutlets(AssetOutlet.newBuilder().setAsset(AssetRef.newBuilder().setName(own)));
      }
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskInstances().finishTask(tooMany.build()));

      FinishTaskRequest good = success(AssetOutlet.newBuilder().setAsset(AssetRef.newBuilder().setName(own)).build());
      task.taskInstances().finishTask(good);
      assertEquals(1, env.count("select count(*) from asset_event e join asset a on a.id = e.asset_id "
          + "where a.name = '" + own + "'"));
      // The same call again after a lost answer records nothing more.
      task.taskInstances().finishTask(good);
      assertEquals(1, env.count("select count(*) from asset_event e join asset a on a.id = e.asset_id "
          + "where a.name = '" + own + "'"));
    }
  }

  @Test
  void rejectsMalformedRequestsWithoutChange() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT,
          () -> task.assets().getAssetByName(GetAssetByNameRequest.newBuilder().setName("").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.assets().getAssetByUri(
          GetAssetByUriRequest.newBuilder().setUri("u".repeat(1501)).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.assets().getAssetEvents(
          GetAssetEventsRequest.newBuilder().setAsset(AssetRef.getDefaultInstance()).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.assets().getAssetEvents(
          GetAssetEventsRequest.newBuilder().setAsset(AssetRef.newBuilder().setName("a")).setLimit(1001).build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.assets().getAssetEventsByAlias(
          GetAssetEventsByAliasRequest.newBuilder().setAliasName("").build()));
    }
  }

  @Test
  void validatesTheCallersInletsAndOutlets() throws Exception {
    String own = unique("inlet");
    String hidden = unique("payments_inlet");
    register(own, "analytics");
    register(hidden, "payments");
    try (TaskSession session = session(DemoData.ANALYTICS)) {
      assertEquals(List.of(), session.client().validateInletsAndOutlets(
          List.of(AssetKey.byName(own)), List.of(AssetKey.byUri("s3://" + own))));
      assertEquals(List.of(AssetKey.byName(hidden), AssetKey.byUri("s3://absent_" + own)),
          session.client().validateInletsAndOutlets(
              List.of(AssetKey.byName(own), AssetKey.byName(hidden)), List.of(AssetKey.byUri("s3://absent_" + own))));
    }
  }

  @Test
  void registrationChecksTeamsAndUriOwnership() throws Exception {
    String name = unique("registered");
    register(name, "analytics");
    assertEquals(false, env.assetAdmin().registerAsset(RegisterAssetRequest.newBuilder().setName(name)
        .setUri("s3://" + name).setGroup("tables").build()).getCreated());
    assertEquals(1, env.count("select count(*) from asset where name = '" + name + "' and asset_group = 'tables' "
        + "and team_id is null"));
    refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> env.assetAdmin().registerAsset(
        RegisterAssetRequest.newBuilder().setName(name + "_other").setUri("s3://" + name).build()));
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> env.assetAdmin().registerAsset(
        RegisterAssetRequest.newBuilder().setName(name + "_t").setUri("s3://" + name + "_t").setTeam("nosuchteam")
            .build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.assetAdmin().registerAsset(
        RegisterAssetRequest.newBuilder().setName(name + "_j").setUri("s3://" + name + "_j").setExtraJson("1")
            .build()));
  }

  @Test
  void aFinishedTryReadsNoAssets() throws Exception {
    String own = unique("after_end");
    register(own, "analytics");
    try (TestTask task = env.startTask(env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID,
        unique("ended"), -1, 1, null))) {
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION,
          () -> task.assets().getAssetByName(GetAssetByNameRequest.newBuilder().setName(own).build()));
    }
  }

  private static FinishTaskRequest success(AssetOutlet outlet) {
    return FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).addOutlets(outlet).build();
  }

  private static List<Long> ids(List<AssetEvent> events) {
    return events.stream().map(AssetEvent::id).toList();
  }
}

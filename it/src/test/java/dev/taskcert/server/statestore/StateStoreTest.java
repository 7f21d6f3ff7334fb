package dev.taskcert.server.statestore;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.dev.DemoData;
import dev.taskcert.proto.admin.v1.RegisterAssetRequest;
import dev.taskcert.proto.execution.v1.AssetRef;
import dev.taskcert.proto.execution.v1.ClearAssetStoreRequest;
import dev.taskcert.proto.execution.v1.DeleteAssetStoreValueRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetAssetStoreValueRequest;
import dev.taskcert.proto.execution.v1.GetTaskStoreValueRequest;
import dev.taskcert.proto.execution.v1.SetAssetStoreValueRequest;
import dev.taskcert.proto.execution.v1.SetTaskStoreValueRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.TaskSession;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.client.AssetKey;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The task store (the caller's own task instance, across tries) and asset stores (within the asset team boundary). */
class StateStoreTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  private static String unique(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static QueuedTry queue(String taskId, int mapIndex, int tryNumber) {
    return env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, taskId, mapIndex, tryNumber, null);
  }

  @Test
  void theTaskStoreSurvivesARetryOfTheSameTaskInstanceOnly() throws Exception {
    String taskId = unique("stateful");
    try (TestTask first = env.startTask(queue(taskId, -1, 1))) {
      first.session().client().setTaskStoreValue("cursor", "{\"offset\": 10}", Optional.empty());
      first.session().client().setTaskStoreValue("gone", "1", Optional.of(env.clock.instant().plusSeconds(20)));
      assertEquals("{\"offset\": 10}", first.session().client().getTaskStoreValue("cursor"));
      first.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_UP_FOR_RETRY).build());
    }
    env.clock.advance(Duration.ofSeconds(30)); // within the certificates' backdating
    try (TestTask retry = env.startTask(queue(taskId, -1, 2))) {
      assertEquals("{\"offset\": 10}", retry.session().client().getTaskStoreValue("cursor"));
      // Expired values read as absent.
      refusedWithoutChange(env, Status.Code.NOT_FOUND,
          () -> retry.taskStore().getTaskStoreValue(GetTaskStoreValueRequest.newBuilder().setKey("gone").build()));
      assertTrue(retry.session().client().deleteTaskStoreValue("cursor"));
      assertFalse(retry.session().client().deleteTaskStoreValue("cursor"));
    }
    // Another task instance has a store of its own.
    try (TaskSession other = env.startedSession(DemoData.ANALYTICS, unique("other"), Clock.systemUTC())) {
      other.client().setTaskStoreValue("cursor", "2", Optional.empty());
      assertEquals(1, env.count("select count(*) from task_store s join task_instance ti on ti.id = s.task_instance_id "
          + "where ti.task_id = '" + taskId + "'"));
    }
  }

  @Test
  void clearReachesMappedSiblingsOnlyWhenAsked() throws Exception {
    String taskId = unique("mapped");
    try (TestTask zero = env.startTask(queue(taskId, 0, 1)); TestTask one = env.startTask(queue(taskId, 1, 1))) {
      zero.session().client().setTaskStoreValue("k", "0", Optional.empty());
      one.session().client().setTaskStoreValue("k", "1", Optional.empty());
      one.session().client().setTaskStoreValue("j", "1", Optional.empty());
      assertEquals(1, zero.session().client().clearTaskStore(false));
      assertEquals("1", one.session().client().getTaskStoreValue("k"));
      zero.session().client().setTaskStoreValue("k", "0", Optional.empty());
      assertEquals(3, zero.session().client().clearTaskStore(true));
      assertEquals(Status.Code.NOT_FOUND, org.junit.jupiter.api.Assertions.assertThrows(TaskcertException.NotFound.class,
          () -> one.session().client().getTaskStoreValue("k")).code());
    }
  }

  @Test
  void taskStoreRefusesBadInputAndFinishedTriesWithoutChange() throws Exception {
    QueuedTry queued = queue(unique("bounded"), -1, 1);
    try (TestTask task = env.startTask(queued)) {
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("").setValueJson("1").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("k".repeat(513)).setValueJson("1").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("k").setValueJson("null").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("k").setValueJson("{").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("k").setValueJson("\"" + "v".repeat(64 * 1024) + "\"").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("k").setValueJson("1")
              .setExpiresAt(Timestamps.of(env.clock.instant().minusSeconds(1))).build()));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.taskStore().getTaskStoreValue(
          GetTaskStoreValueRequest.newBuilder().setKey("never").build()));
      task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
      refusedWithoutChange(env, Status.Code.FAILED_PRECONDITION, () -> task.taskStore().setTaskStoreValue(
          SetTaskStoreValueRequest.newBuilder().setKey("late").setValueJson("1").build()));
    }
  }

  @Test
  void assetStoresFollowTheAssetTeamBoundary() throws Exception {
    String own = unique("analytics_asset");
    String shared = unique("payments_shared");
    String hidden = unique("payments_asset");
    env.assetAdmin().registerAsset(RegisterAssetRequest.newBuilder().setName(own).setUri("s3://" + own)
        .setTeam("analytics").build());
    env.assetAdmin().registerAsset(RegisterAssetRequest.newBuilder().setName(shared).setUri("s3://" + shared)
        .setTeam("payments").addSharedWithTeams("analytics").build());
    env.assetAdmin().registerAsset(RegisterAssetRequest.newBuilder().setName(hidden).setUri("s3://" + hidden)
        .setTeam("payments").build());
    try (TestTask payments = env.startTask(DemoData.PAYMENTS)) {
      payments.session().client().setAssetStoreValue(AssetKey.byName(hidden), "watermark", "\"2026-11-01\"");
    }
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      var client = task.session().client();
      client.setAssetStoreValue(AssetKey.byName(own), "watermark", "\"2026-11-25\"");
      assertEquals("\"2026-11-25\"", client.getAssetStoreValue(AssetKey.byUri("s3://" + own), "watermark"));
      client.setAssetStoreValue(AssetKey.byUri("s3://" + shared), "seen", "true");
      assertEquals("true", client.getAssetStoreValue(AssetKey.byName(shared), "seen"));
      assertTrue(client.deleteAssetStoreValue(AssetKey.byName(shared), "seen"));
      assertEquals(1, client.clearAssetStore(AssetKey.byName(own)));

      AssetRef hiddenRef = AssetRef.newBuilder().setName(hidden).build();
      Status read = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.assetStore().getAssetStoreValue(
          GetAssetStoreValueRequest.newBuilder().setAsset(hiddenRef).setKey("watermark").build()));
      assertEquals("asset '" + hidden + "' not found", read.getDescription());
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.assetStore().setAssetStoreValue(
          SetAssetStoreValueRequest.newBuilder().setAsset(hiddenRef).setKey("watermark").setValueJson("1").build()));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.assetStore().deleteAssetStoreValue(
          DeleteAssetStoreValueRequest.newBuilder().setAsset(hiddenRef).setKey("watermark").build()));
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.assetStore().clearAssetStore(
          ClearAssetStoreRequest.newBuilder().setAsset(hiddenRef).build()));
      Status absent = refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> task.assetStore().getAssetStoreValue(
          GetAssetStoreValueRequest.newBuilder().setAsset(AssetRef.newBuilder().setName(hidden + "x")).setKey("k")
              .build()));
      assertEquals("asset '" + hidden + "x' not found", absent.getDescription());
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.assetStore().setAssetStoreValue(
          SetAssetStoreValueRequest.newBuilder().setAsset(AssetRef.newBuilder().setName(own)).setKey("k")
              .setValueJson("null").build()));
      refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> task.assetStore().getAssetStoreValue(
          GetAssetStoreValueRequest.newBuilder().setAsset(AssetRef.getDefaultInstance()).setKey("k").build()));
    }
  }
}

package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.TextFormat;
import com.google.protobuf.Timestamp;
import dev.taskcert.proto.admin.v1.AdminDeleteConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminDeleteVariableRequest;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.RegisterTeamRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.ca.v1.EnrollRequest;
import dev.taskcert.proto.ca.v1.GetTrustBundleRequest;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.DeferTaskRequest;
import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.ClearDagRunRequest;
import dev.taskcert.proto.execution.v1.GetDagRunCountRequest;
import dev.taskcert.proto.execution.v1.GetDagRunRequest;
import dev.taskcert.proto.execution.v1.GetDagRunStateRequest;
import dev.taskcert.proto.execution.v1.GetDagStateRequest;
import dev.taskcert.proto.execution.v1.GetPreviousDagRunRequest;
import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceRequest;
import dev.taskcert.proto.execution.v1.GetRescheduleStartDateRequest;
import dev.taskcert.proto.execution.v1.GetTaskBreadcrumbsRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceCountRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesRequest;
import dev.taskcert.proto.execution.v1.SetRenderedMapIndexRequest;
import dev.taskcert.proto.execution.v1.TriggerDagRunRequest;
import dev.taskcert.proto.execution.v1.DeleteXComRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetXComCountRequest;
import dev.taskcert.proto.execution.v1.GetXComItemRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.GetXComSliceRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysRequest;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.SetRenderedFieldsRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.TestEnvironment;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes request validation end to end: each input names one RPC (first byte) and carries its
 * request message (the rest, in protobuf encoding), which a running task, an admin or an
 * enrolling supervisor sends to a real server over TLS. Whatever the request, the answer is never
 * a server failure (INTERNAL, UNKNOWN, UNAVAILABLE, a timeout...), and a refused request leaves the
 * database as it was. The server is a {@link TestEnvironment}: real PostgreSQL, a real CA, real
 * mutual TLS on loopback. Inputs that are not a valid encoding of the message are skipped: a
 * client library never sends them.
 */
class RequestValidationFuzzTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  /** Answers that blame the server, not the request. */
  private static final Set<Status.Code> SERVER_FAILURES = EnumSet.of(Status.Code.INTERNAL, Status.Code.UNKNOWN,
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.DATA_LOSS, Status.Code.UNIMPLEMENTED,
      Status.Code.CANCELLED);

  private static final List<Rpc> RPCS = List.of(
      rpc("SetXCom", SetXComRequest.parser(), (c, r) -> c.xcoms().setXCom(r)),
      rpc("DeleteXCom", DeleteXComRequest.parser(), (c, r) -> c.xcoms().deleteXCom(r)),
      rpc("GetXCom", GetXComRequest.parser(), (c, r) -> c.xcoms().getXCom(r)),
      rpc("GetXComItem", GetXComItemRequest.parser(), (c, r) -> c.xcoms().getXComItem(r)),
      rpc("GetXComSlice", GetXComSliceRequest.parser(), (c, r) -> c.xcoms().getXComSlice(r)),
      rpc("GetXComCount", GetXComCountRequest.parser(), (c, r) -> c.xcoms().getXComCount(r)),
      rpc("GetVariable", GetVariableRequest.parser(), (c, r) -> c.variables().getVariable(r)),
      rpc("SetVariable", SetVariableRequest.parser(), (c, r) -> c.variables().setVariable(r)),
      rpc("DeleteVariable", DeleteVariableRequest.parser(), (c, r) -> c.variables().deleteVariable(r)),
      rpc("ListVariableKeys", ListVariableKeysRequest.parser(), (c, r) -> c.variables().listVariableKeys(r)),
      rpc("GetConnection", GetConnectionRequest.parser(), (c, r) -> c.connections().getConnection(r)),
      rpc("StartTask", StartTaskRequest.parser(), (c, r) -> c.taskInstances().startTask(r)),
      rpc("Heartbeat", HeartbeatRequest.parser(), (c, r) -> c.taskInstances().heartbeat(r)),
      rpc("FinishTask", FinishTaskRequest.parser(), (c, r) -> c.taskInstances().finishTask(r)),
      rpc("DeferTask", DeferTaskRequest.parser(), (c, r) -> c.taskInstances().deferTask(r)),
      rpc("RescheduleTask", RescheduleTaskRequest.parser(), (c, r) -> c.taskInstances().rescheduleTask(r)),
      rpc("SetRenderedFields", SetRenderedFieldsRequest.parser(), (c, r) -> c.taskInstances().setRenderedFields(r)),
      rpc("SkipDownstream", SkipDownstreamRequest.parser(), (c, r) -> c.taskInstances().skipDownstream(r)),
      rpc("GetPreviousSuccessfulDagRun", GetPreviousSuccessfulDagRunRequest.parser(),
          (c, r) -> c.taskInstances().getPreviousSuccessfulDagRun(r)),
      rpc("Renew", RenewRequest.parser(), (c, r) -> c.ca().renew(r)),
      rpc("Enroll", EnrollRequest.parser(), (c, r) -> c.enrollment().enroll(r)),
      rpc("GetTrustBundle", GetTrustBundleRequest.parser(), (c, r) -> c.enrollment().getTrustBundle(r)),
      rpc("RegisterTeam", RegisterTeamRequest.parser(), (c, r) -> c.admin().registerTeam(r)),
      rpc("RegisterDagBundle", RegisterDagBundleRequest.parser(), (c, r) -> c.admin().registerDagBundle(r)),
      rpc("RegisterDag", RegisterDagRequest.parser(), (c, r) -> c.admin().registerDag(r)),
      rpc("CreateDagRun", CreateDagRunRequest.parser(), (c, r) -> c.admin().createDagRun(r)),
      rpc("SetDagRunState", SetDagRunStateRequest.parser(), (c, r) -> c.admin().setDagRunState(r)),
      rpc("QueueTaskInstance", QueueTaskInstanceRequest.parser(), (c, r) -> c.admin().queueTaskInstance(r)),
      rpc("AdminSetVariable", AdminSetVariableRequest.parser(), (c, r) -> c.admin().setVariable(r)),
      rpc("AdminDeleteVariable", AdminDeleteVariableRequest.parser(), (c, r) -> c.admin().deleteVariable(r)),
      rpc("AdminSetConnection", AdminSetConnectionRequest.parser(), (c, r) -> c.admin().setConnection(r)),
      rpc("AdminDeleteConnection", AdminDeleteConnectionRequest.parser(), (c, r) -> c.admin().deleteConnection(r)),
      rpc("RevokeCertificates", RevokeCertificatesRequest.parser(), (c, r) -> c.admin().revokeCertificates(r)),
      rpc("ListAuditEvents", ListAuditEventsRequest.parser(), (c, r) -> c.admin().listAuditEvents(r)),
      rpc("GetDagRun", GetDagRunRequest.parser(), (c, r) -> c.dagRuns().getDagRun(r)),
      rpc("GetDagRunState", GetDagRunStateRequest.parser(), (c, r) -> c.dagRuns().getDagRunState(r)),
      rpc("GetDagRunCount", GetDagRunCountRequest.parser(), (c, r) -> c.dagRuns().getDagRunCount(r)),
      rpc("GetPreviousDagRun", GetPreviousDagRunRequest.parser(), (c, r) -> c.dagRuns().getPreviousDagRun(r)),
      rpc("GetDagState", GetDagStateRequest.parser(), (c, r) -> c.dagRuns().getDagState(r)),
      rpc("TriggerDagRun", TriggerDagRunRequest.parser(), (c, r) -> c.dagRuns().triggerDagRun(r)),
      rpc("ClearDagRun", ClearDagRunRequest.parser(), (c, r) -> c.dagRuns().clearDagRun(r)),
      rpc("GetTaskInstanceCount", GetTaskInstanceCountRequest.parser(), (c, r) -> c.taskQueries().getTaskInstanceCount(r)),
      rpc("GetTaskInstanceStates", GetTaskInstanceStatesRequest.parser(),
          (c, r) -> c.taskQueries().getTaskInstanceStates(r)),
      rpc("GetPreviousTaskInstance", GetPreviousTaskInstanceRequest.parser(),
          (c, r) -> c.taskQueries().getPreviousTaskInstance(r)),
      rpc("GetTaskBreadcrumbs", GetTaskBreadcrumbsRequest.parser(), (c, r) -> c.taskQueries().getTaskBreadcrumbs(r)),
      rpc("SetRenderedMapIndex", SetRenderedMapIndexRequest.parser(), (c, r) -> c.taskDetails().setRenderedMapIndex(r)),
      rpc("GetRescheduleStartDate", GetRescheduleStartDateRequest.parser(),
          (c, r) -> c.taskDetails().getRescheduleStartDate(r)),
      rpc("EndTry", dev.taskcert.proto.admin.v1.EndTryRequest.parser(), (c, r) -> c.admin().endTry(r)),
      rpc("ResumeTaskInstance", dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest.parser(), (c, r) -> c.admin().resumeTaskInstance(r)),
      rpc("RegisterAsset", dev.taskcert.proto.admin.v1.RegisterAssetRequest.parser(), (c, r) -> c.assetAdmin().registerAsset(r)),
      rpc("GetAssetByName", dev.taskcert.proto.execution.v1.GetAssetByNameRequest.parser(), (c, r) -> c.assets().getAssetByName(r)),
      rpc("GetAssetByUri", dev.taskcert.proto.execution.v1.GetAssetByUriRequest.parser(), (c, r) -> c.assets().getAssetByUri(r)),
      rpc("GetAssetEvents", dev.taskcert.proto.execution.v1.GetAssetEventsRequest.parser(), (c, r) -> c.assets().getAssetEvents(r)),
      rpc("GetAssetEventsByAlias", dev.taskcert.proto.execution.v1.GetAssetEventsByAliasRequest.parser(),
          (c, r) -> c.assets().getAssetEventsByAlias(r)),
      rpc("ValidateInletsAndOutlets", dev.taskcert.proto.execution.v1.ValidateInletsAndOutletsRequest.parser(),
          (c, r) -> c.assets().validateInletsAndOutlets(r)),
      rpc("SetTaskStoreValue", dev.taskcert.proto.execution.v1.SetTaskStoreValueRequest.parser(), (c, r) -> c.taskStore().setTaskStoreValue(r)),
      rpc("GetTaskStoreValue", dev.taskcert.proto.execution.v1.GetTaskStoreValueRequest.parser(), (c, r) -> c.taskStore().getTaskStoreValue(r)),
      rpc("DeleteTaskStoreValue", dev.taskcert.proto.execution.v1.DeleteTaskStoreValueRequest.parser(),
          (c, r) -> c.taskStore().deleteTaskStoreValue(r)),
      rpc("ClearTaskStore", dev.taskcert.proto.execution.v1.ClearTaskStoreRequest.parser(), (c, r) -> c.taskStore().clearTaskStore(r)),
      rpc("SetAssetStoreValue", dev.taskcert.proto.execution.v1.SetAssetStoreValueRequest.parser(), (c, r) -> c.assetStore().setAssetStoreValue(r)),
      rpc("GetAssetStoreValue", dev.taskcert.proto.execution.v1.GetAssetStoreValueRequest.parser(), (c, r) -> c.assetStore().getAssetStoreValue(r)),
      rpc("DeleteAssetStoreValue", dev.taskcert.proto.execution.v1.DeleteAssetStoreValueRequest.parser(),
          (c, r) -> c.assetStore().deleteAssetStoreValue(r)),
      rpc("ClearAssetStore", dev.taskcert.proto.execution.v1.ClearAssetStoreRequest.parser(), (c, r) -> c.assetStore().clearAssetStore(r)),
      rpc("CreateHitlDetail", dev.taskcert.proto.execution.v1.CreateHitlDetailRequest.parser(), (c, r) -> c.hitl().createHitlDetail(r)),
      rpc("UpdateHitlDetail", dev.taskcert.proto.execution.v1.UpdateHitlDetailRequest.parser(), (c, r) -> c.hitl().updateHitlDetail(r)),
      rpc("GetHitlDetail", dev.taskcert.proto.execution.v1.GetHitlDetailRequest.parser(), (c, r) -> c.hitl().getHitlDetail(r)),
      rpc("RespondHitl", dev.taskcert.proto.admin.v1.RespondHitlRequest.parser(), (c, r) -> c.hitlAdmin().respondHitl(r)));

  private static FuzzCallers callers;
  private static final java.util.concurrent.atomic.AtomicInteger SEED_SETS = new java.util.concurrent.atomic.AtomicInteger();

  @AfterAll
  static void closeCallers() {
    if (callers != null) {
      callers.close();
    }
  }

  @MethodSource("requests")
  @FuzzTest
  void answersBadRequestsAsTheCallersFaultAndChangesNothing(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    Rpc rpc = RPCS.get(Byte.toUnsignedInt(input[0]) % RPCS.size());
    Message request;
    try {
      request = rpc.parser().parseFrom(input, 1, input.length - 1);
    } catch (InvalidProtocolBufferException notAMessage) {
      return;
    }
    FuzzCallers current = callers();
    String before = DatabaseFingerprint.of(env);
    Status status = rpc.send(current, request);
    String call = rpc.name() + "(" + TextFormat.shortDebugString(request) + ")";
    assertFalse(SERVER_FAILURES.contains(status.getCode()), call + " answered " + status);
    if (!status.isOk()) {
      assertEquals(before, DatabaseFingerprint.of(env), call + " was refused with " + status + " but changed the database");
    }
  }

  /**
   * The other side of the property: the valid seeds are answered OK, so a server that refused
   * everything would fail here. The seeds run in order against one set of callers (replaced when
   * a seed ends the try). Four are refused on purpose: a token no try was given, an item of a
   * mapped XCom, which the fuzzed task (not mapped itself) has none of, resuming a try that is
   * neither deferred nor rescheduled, and a human answering in a run where the fuzzed task asked
   * nothing (its runs are made as the callers are).
   */
  @Test
  void answersEveryValidSeedAsValid() throws Exception {
    Map<String, Status.Code> refusedOnPurpose =
        Map.of("Enroll", Status.Code.UNAUTHENTICATED, "GetXComItem", Status.Code.NOT_FOUND,
            "ResumeTaskInstance", Status.Code.FAILED_PRECONDITION, "RespondHitl", Status.Code.NOT_FOUND);
    List<String> wrong = new java.util.ArrayList<>();
    for (byte[] seed : requests().toList()) {
      Rpc rpc = RPCS.get(seed[0]);
      Message request = rpc.parser().parseFrom(seed, 1, seed.length - 1);
      Status status = rpc.send(callers(), request);
      if (status.getCode() != refusedOnPurpose.getOrDefault(rpc.name(), Status.Code.OK)) {
        wrong.add(rpc.name() + "(" + TextFormat.shortDebugString(request) + ") answered " + status);
      }
    }
    assertEquals(List.of(), wrong);
  }

  /** A live task try and an admin to call with, replaced when an earlier input ended the try. */
  private static FuzzCallers callers() throws Exception {
    if (callers != null && callers.stillUsable()) {
      return callers;
    }
    int generation = callers == null ? 1 : callers.generation() + 1;
    if (callers != null) {
      callers.close();
    }
    callers = FuzzCallers.start(env, generation);
    return callers;
  }

  /** One valid request of every RPC, and a few refused ones, to start from. */
  static Stream<byte[]> requests() throws Exception {
    Instant now = Instant.now();
    // A task of its own for each set of seeds, queued by them and then ended: its first try is current.
    String queuedTask = "queued_by_fuzz_" + SEED_SETS.incrementAndGet();
    Timestamp later = Timestamps.of(now.plusSeconds(3600));
    XComRef ref = XComRef.newBuilder().setTaskId(FuzzCallers.TASK_ID).setKey("return_value").build();
    return Stream.of(
        seed("SetXCom", SetXComRequest.newBuilder().setKey("return_value").setValueJson("{\"rows\": [1, 2.5, \"x\"]}")),
        seed("SetXCom", SetXComRequest.newBuilder().setKey("mapped").setValueJson("[1, 2, 3]").setMappedLength(3)),
        seed("GetXCom", GetXComRequest.newBuilder().setRef(ref).setMapIndex(-1).setIncludePriorDates(true)),
        seed("GetXComItem", GetXComItemRequest.newBuilder().setRef(ref).setOffset(-1)),
        seed("GetXComSlice", GetXComSliceRequest.newBuilder().setRef(ref).setStart(0).setStop(10).setStep(2)),
        seed("GetXComCount", GetXComCountRequest.newBuilder().setRef(ref)),
        seed("DeleteXCom", DeleteXComRequest.newBuilder().setKey("return_value")),
        seed("GetVariable", GetVariableRequest.newBuilder().setKey(DemoData.ANALYTICS.ownVariable())),
        seed("SetVariable", SetVariableRequest.newBuilder().setKey("fuzz_variable").setValue("v").setDescription("d")),
        seed("DeleteVariable", DeleteVariableRequest.newBuilder().setKey("fuzz_variable")),
        seed("ListVariableKeys", ListVariableKeysRequest.newBuilder().setPrefix("a").setPageSize(2)
            .setPageToken(PageTokens.encode("analytics"))),
        seed("StartTask", StartTaskRequest.newBuilder().setHostname(FuzzCallers.HOSTNAME).setPid(FuzzCallers.PID)
            .setUnixUser("airflow").setStartDate(Timestamps.of(now))),
        seed("Heartbeat", HeartbeatRequest.newBuilder().setHostname(FuzzCallers.HOSTNAME).setPid(FuzzCallers.PID)),
        seed("RegisterAsset", dev.taskcert.proto.admin.v1.RegisterAssetRequest.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset")
            .setExtraJson("{\"k\": 1}").setTeam(DemoData.ANALYTICS.team())),
        seed("GetAssetByName", dev.taskcert.proto.execution.v1.GetAssetByNameRequest.newBuilder().setName("fuzz_asset")),
        seed("GetAssetByUri", dev.taskcert.proto.execution.v1.GetAssetByUriRequest.newBuilder().setUri("s3://fuzz/asset")),
        seed("GetAssetEvents", dev.taskcert.proto.execution.v1.GetAssetEventsRequest.newBuilder().setAsset(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset")).setLimit(5)
            .setAfter(Timestamps.of(now.minusSeconds(3600)))),
        seed("GetAssetEventsByAlias", dev.taskcert.proto.execution.v1.GetAssetEventsByAliasRequest.newBuilder().setAliasName("fuzz_alias").setDescending(true)),
        seed("ValidateInletsAndOutlets", dev.taskcert.proto.execution.v1.ValidateInletsAndOutletsRequest.newBuilder().addInlets(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset"))
            .addOutlets(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset"))),
        seed("SetTaskStoreValue", dev.taskcert.proto.execution.v1.SetTaskStoreValueRequest.newBuilder().setKey("cursor").setValueJson("{\"offset\": 7}")
            .setExpiresAt(later)),
        seed("GetTaskStoreValue", dev.taskcert.proto.execution.v1.GetTaskStoreValueRequest.newBuilder().setKey("cursor")),
        seed("DeleteTaskStoreValue", dev.taskcert.proto.execution.v1.DeleteTaskStoreValueRequest.newBuilder().setKey("cursor")),
        seed("ClearTaskStore", dev.taskcert.proto.execution.v1.ClearTaskStoreRequest.newBuilder().setAllMapIndices(true)),
        seed("SetAssetStoreValue", dev.taskcert.proto.execution.v1.SetAssetStoreValueRequest.newBuilder().setAsset(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset")).setKey("watermark")
            .setValueJson("\"2026-11-25\"")),
        seed("GetAssetStoreValue", dev.taskcert.proto.execution.v1.GetAssetStoreValueRequest.newBuilder().setAsset(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset")).setKey("watermark")),
        seed("DeleteAssetStoreValue", dev.taskcert.proto.execution.v1.DeleteAssetStoreValueRequest.newBuilder().setAsset(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset")).setKey("watermark")),
        seed("ClearAssetStore", dev.taskcert.proto.execution.v1.ClearAssetStoreRequest.newBuilder().setAsset(dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName("fuzz_asset").setUri("s3://fuzz/asset"))),
        seed("CreateHitlDetail", dev.taskcert.proto.execution.v1.CreateHitlDetailRequest.newBuilder().addOptions("approve").addOptions("reject")
            .setSubject("Ship it?").setBody("the report").addDefaults("reject").setParamsJson("{\"n\": 1}")),
        seed("UpdateHitlDetail", dev.taskcert.proto.execution.v1.UpdateHitlDetailRequest.newBuilder().addChosenOptions("approve")
            .setParamsInputJson("{\"n\": 2}")),
        seed("GetHitlDetail", dev.taskcert.proto.execution.v1.GetHitlDetailRequest.newBuilder()),
        seed("RespondHitl", dev.taskcert.proto.admin.v1.RespondHitlRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
            .setTaskId(FuzzCallers.TASK_ID).setMapIndex(-1).setUserId("alice").addChosenOptions("approve")),
        seed("FinishTask", FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).setEndDate(Timestamps.of(now))),
        seed("DeferTask", DeferTaskRequest.newBuilder().setClasspath("airflow.triggers.temporal.DateTimeTrigger")
            .setTriggerKwargsJson("{\"moment\": \"2026-11-25T01:00:00Z\"}").setNextMethod("execute_complete")
            .setTriggerTimeout(later)),
        seed("RescheduleTask", RescheduleTaskRequest.newBuilder().setRescheduleDate(later)),
        seed("SetRenderedFields", SetRenderedFieldsRequest.newBuilder().setFieldsJson("{\"sql\": \"select 1\"}")),
        seed("SkipDownstream", SkipDownstreamRequest.newBuilder().addTaskIds("load").addTaskIds("report")),
        seed("GetPreviousSuccessfulDagRun", GetPreviousSuccessfulDagRunRequest.newBuilder()),
        seed("Renew", RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(p256Csr()))),
        seed("Enroll", EnrollRequest.newBuilder().setEnrollmentToken("A".repeat(43)).setCsrDer(ByteString.copyFrom(p256Csr()))),
        seed("GetTrustBundle", GetTrustBundleRequest.newBuilder()),
        seed("RegisterTeam", RegisterTeamRequest.newBuilder().setName("fuzz-team")),
        seed("RegisterDagBundle", RegisterDagBundleRequest.newBuilder().setName("fuzz-bundle").setTeam("fuzz-team")),
        seed("RegisterDag", RegisterDagRequest.newBuilder().setDagId("fuzz_dag").setBundle("fuzz-bundle")
            .setDeclaresResources(true).addAllowedConnectionIds("warehouse").addAllowedVariablePatterns("fuzz_*")),
        seed("CreateDagRun", CreateDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId("manual__fuzz")
            .setRunType("manual").setConfJson("{\"k\": 1}").setLogicalDate(Timestamps.of(now))
            .setDataIntervalStart(Timestamps.of(now)).setDataIntervalEnd(later)),
        seed("SetDagRunState", SetDagRunStateRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .setRunId(DemoData.RUN_ID).setState("running")),
        seed("QueueTaskInstance", QueueTaskInstanceRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .setRunId(DemoData.RUN_ID).setTaskId(queuedTask).setMapIndex(-1).setMaxTries(2).setTokenTtlSeconds(60)),
        seed("EndTry", dev.taskcert.proto.admin.v1.EndTryRequest.newBuilder().setTaskTry(dev.taskcert.proto.admin.v1.TaskTryRef.newBuilder()
            .setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID).setTaskId(queuedTask).setMapIndex(-1)
            .setTryNumber(1)).setState(TaskState.TASK_STATE_REMOVED).setReason("fuzz")),
        seed("ResumeTaskInstance", dev.taskcert.proto.admin.v1.ResumeTaskInstanceRequest.newBuilder().setTaskTry(dev.taskcert.proto.admin.v1.TaskTryRef.newBuilder()
            .setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID).setTaskId(queuedTask).setMapIndex(-1)
            .setTryNumber(1)).setTokenTtlSeconds(60).setTaskInstanceId("0190f3c2-7b1e-7c3a-9d2e-5a6b7c8d9e0f")),
        seed("AdminSetVariable", AdminSetVariableRequest.newBuilder().setKey("fuzz_admin_variable").setValue("v")
            .setTeam(DemoData.ANALYTICS.team())),
        seed("AdminDeleteVariable", AdminDeleteVariableRequest.newBuilder().setKey("fuzz_admin_variable")),
        seed("AdminSetConnection", AdminSetConnectionRequest.newBuilder().setConnId("warehouse").setConnType("postgres")
            .setHost("db.internal").setPort(5432).setLogin("etl").setPassword("secret").setExtraJson("{\"sslmode\": \"require\"}")),
        seed("GetConnection", GetConnectionRequest.newBuilder().setConnId("warehouse")),
        seed("AdminDeleteConnection", AdminDeleteConnectionRequest.newBuilder().setConnId("warehouse")),
        seed("RevokeCertificates", RevokeCertificatesRequest.newBuilder().addSerialHex("0abc").setReason("fuzz")),
        seed("ListAuditEvents", ListAuditEventsRequest.newBuilder().setPageSize(5).setPageToken(PageTokens.encode("100"))),
        seed("GetDagRun", GetDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)),
        seed("GetDagRunState", GetDagRunStateRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)),
        seed("GetDagRunCount", GetDagRunCountRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .addStates("running").addRunIds(DemoData.RUN_ID).addLogicalDates(Timestamps.of(now))),
        seed("GetPreviousDagRun", GetPreviousDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .setLogicalDate(later).setState("success")),
        seed("GetDagState", GetDagStateRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())),
        seed("TriggerDagRun", TriggerDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .setRunId("manual__fuzz_trigger").setConfJson("{\"k\": [1]}").setResetDagRun(true)),
        seed("ClearDagRun", ClearDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId("manual__fuzz_trigger")),
        seed("GetTaskInstanceCount", GetTaskInstanceCountRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .addTaskIds(FuzzCallers.TASK_ID).setTaskGroupId("group").addStates(TaskState.TASK_STATE_RUNNING)
            .setMapIndex(-1).setHasMapIndex(true)),
        seed("GetTaskInstanceStates", GetTaskInstanceStatesRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .addRunIds(DemoData.RUN_ID).addLogicalDates(Timestamps.of(now))),
        seed("GetPreviousTaskInstance", GetPreviousTaskInstanceRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .setTaskId(FuzzCallers.TASK_ID).setLogicalDate(later).setState(TaskState.TASK_STATE_SUCCESS)),
        seed("GetTaskBreadcrumbs", GetTaskBreadcrumbsRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
            .setRunId(DemoData.RUN_ID)),
        seed("SetRenderedMapIndex", SetRenderedMapIndexRequest.newBuilder().setRenderedMapIndex("region=eu")),
        seed("GetRescheduleStartDate", GetRescheduleStartDateRequest.newBuilder()));
  }

  private static byte[] seed(String rpcName, Message.Builder request) {
    int index = RPCS.stream().map(Rpc::name).toList().indexOf(rpcName);
    byte[] message = request.build().toByteArray();
    byte[] input = new byte[message.length + 1];
    input[0] = (byte) index;
    System.arraycopy(message, 0, input, 1, message.length);
    return input;
  }

  private static byte[] p256Csr() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=fuzz"), keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
        .getEncoded();
  }

  @SuppressWarnings("unchecked")
  private static <Q extends Message> Rpc rpc(String name, Parser<Q> parser, BiFunction<FuzzCallers, Q, ?> call) {
    return new Rpc(name, parser, (callers, request) -> call.apply(callers, (Q) request));
  }

  /** One RPC: how to read its request and how to send it. */
  private record Rpc(String name, Parser<? extends Message> parser, BiFunction<FuzzCallers, Message, ?> call) {
    Status send(FuzzCallers callers, Message request) {
      try {
        call.apply(callers, request);
        return Status.OK;
      } catch (StatusRuntimeException e) {
        return e.getStatus();
      }
    }
  }
}

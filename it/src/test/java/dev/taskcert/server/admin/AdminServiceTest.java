package dev.taskcert.server.admin;

import static dev.taskcert.server.testing.Statuses.refusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskcert.proto.admin.v1.AdminDeleteConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminDeleteVariableRequest;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.RegisterAssetRequest;
import dev.taskcert.proto.admin.v1.SetDagRunStateRequest;
import dev.taskcert.proto.authz.v1.Caller;
import dev.taskcert.proto.authz.v1.Resource;
import dev.taskcert.proto.authz.v1.Rule;
import dev.taskcert.pki.identity.SpiffeIdCodec;
import dev.taskcert.dev.DevEnvironment;
import dev.taskcert.server.asset.AssetAdminService;
import dev.taskcert.server.authz.AdmittedCall;
import dev.taskcert.server.authz.MethodRule;
import dev.taskcert.server.authz.Principal;
import dev.taskcert.server.testing.DatabaseFingerprint;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.ListAuditEventsRequest;
import dev.taskcert.proto.admin.v1.ListAuditEventsResponse;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.RegisterDagBundleRequest;
import dev.taskcert.proto.admin.v1.RegisterDagRequest;
import dev.taskcert.proto.admin.v1.RegisterTeamRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.supervisor.TaskcertException;
import dev.taskcert.supervisor.credentials.Enrollment;
import java.security.SecureRandom;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminServiceTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();


  @Test
  void refusesTaskCertificatesOnEveryAdminRpc() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), task.session().credentials());
      try {
        AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        long before = env.count("select count(*) from variable");
        refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> admin.setVariable(
            AdminSetVariableRequest.newBuilder().setKey("planted").setValue("x").build()));
        refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> admin.queueTaskInstance(
            QueueTaskInstanceRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId()).setRunId(DemoData.RUN_ID)
                .setTaskId("x").setMapIndex(-1).build()));
        refusedWithoutChange(env, Status.Code.PERMISSION_DENIED, () -> admin.listAuditEvents(
            ListAuditEventsRequest.getDefaultInstance()));
        assertEquals(before, env.count("select count(*) from variable"));
        assertEquals("deny", env.audit(1).get(0).kind());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /**
   * Were an admin method's rule ever changed to admit tasks, the front door would let a task
   * through; the service still establishes that its caller is an admin before its change runs, so
   * the call fails with nothing written and nothing audited as done.
   */
  @Test
  void anAdminChangeServedToATaskFailsBeforeItChangesAnything() throws Exception {
    env.admin().setConnection(AdminSetConnectionRequest.newBuilder().setConnId("kept_from_tasks")
        .setConnType("http").build());
    AdminService admin = env.instance(AdminService.class);
    AssetAdminService assets = env.instance(AssetAdminService.class);
    List<Object> answers = new ArrayList<>();
    Map<String, Runnable> changes = new LinkedHashMap<>();
    changes.put("taskcert.admin.v1.Admin/RegisterTeam", () -> admin.registerTeam(
        RegisterTeamRequest.newBuilder().setName("planted_by_a_task").build(), recording(answers)));
    changes.put("taskcert.admin.v1.Admin/SetDagRunState", () -> admin.setDagRunState(
        SetDagRunStateRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId()).setRunId(DemoData.RUN_ID)
            .setState("failed").build(), recording(answers)));
    changes.put("taskcert.admin.v1.Admin/SetConnection", () -> admin.setConnection(
        AdminSetConnectionRequest.newBuilder().setConnId("planted_by_a_task").setConnType("http").build(),
        recording(answers)));
    changes.put("taskcert.admin.v1.Admin/DeleteConnection", () -> admin.deleteConnection(
        AdminDeleteConnectionRequest.newBuilder().setConnId("kept_from_tasks").build(), recording(answers)));
    changes.put("taskcert.admin.v1.AssetAdmin/RegisterAsset", () -> assets.registerAsset(
        RegisterAssetRequest.newBuilder().setName("planted_by_a_task").setUri("s3://planted-by-a-task").build(),
        recording(answers)));

    TaskIdentity task = new TaskIdentity(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, DemoData.ANALYTICS.taskId(), -1, 1);
    Principal principal = new Principal(task, new SpiffeIdCodec(DevEnvironment.TRUST_DOMAIN).encode(task), "7a5c",
        Instant.now().minusSeconds(60), Instant.now().plusSeconds(600));
    for (Map.Entry<String, Runnable> change : changes.entrySet()) {
      MethodRule openedToTasks = MethodRule.fromProto(change.getKey(), Rule.newBuilder().setCaller(Caller.CALLER_TASK)
          .addTryStates(dev.taskcert.proto.execution.v1.TaskState.TASK_STATE_RUNNING)
          .setResource(Resource.RESOURCE_OWN_TRY).build());
      Context admitted = Context.current().withValue(AdmittedCall.KEY,
          AdmittedCall.of(change.getKey(), openedToTasks, principal, null, new AdmittedCall.CallerDag()));
      String before = DatabaseFingerprint.of(env);
      long audited = env.count("select count(*) from audit_event");
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> admitted.run(change.getValue()),
          change.getKey());
      assertTrue(refused.getMessage().contains("not an admin"), refused.getMessage());
      assertEquals(before, DatabaseFingerprint.of(env), change.getKey() + " changed the database for a task");
      assertEquals(audited, env.count("select count(*) from audit_event"), change.getKey() + " audited a change");
    }
    assertEquals(List.of(), answers, "nothing was answered");
  }

  /** An observer that keeps whatever the service answers. */
  private static <T> StreamObserver<T> recording(List<Object> answers) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        answers.add(t);
      }

      @Override
      public void onCompleted() {
        answers.add("completed");
      }
    };
  }

  @Test
  void registersATeamsWorldAndQueuesATryThatEnrolls() throws Exception {
    var admin = env.admin();
    assertTrue(admin.registerTeam(RegisterTeamRequest.newBuilder().setName("ml").build()).getCreated());
    assertFalse(admin.registerTeam(RegisterTeamRequest.newBuilder().setName("ml").build()).getCreated());
    admin.registerDagBundle(RegisterDagBundleRequest.newBuilder().setName("ml-dags").setTeam("ml").build());
    admin.registerDag(RegisterDagRequest.newBuilder().setDagId("train").setBundle("ml-dags").build());
    admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId("train").setRunId("manual__1").build());
    admin.setVariable(AdminSetVariableRequest.newBuilder().setKey("ml_bucket").setValue("gs://ml").setTeam("ml").build());
    QueueTaskInstanceResponse queued = admin.queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId("train").setRunId("manual__1").setTaskId("fit").setMapIndex(-1).setMaxTries(2).build());
    assertEquals(1, queued.getTryNumber());
    assertEquals("spiffe://taskcert.local/ti/train/manual__1/fit/-1/1", queued.getSpiffeId());
    try (TestTask task = env.startTaskWithToken(queued.getEnrollmentToken())) {
      assertEquals("gs://ml", task.variables().getVariable(GetVariableRequest.newBuilder().setKey("ml_bucket").build())
          .getValue());
      refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
          task.variables().getVariable(GetVariableRequest.newBuilder().setKey("analytics_bucket").build()));
    }
    assertTrue(admin.deleteVariable(AdminDeleteVariableRequest.newBuilder().setKey("ml_bucket").build()).getDeleted());
  }

  @Test
  void rejectsBadInputWithoutChangingAnything() throws Exception {
    var admin = env.admin();
    long teams = env.count("select count(*) from team");
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () ->
        admin.registerTeam(RegisterTeamRequest.newBuilder().setName("bad name!").build()));
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
        admin.registerDagBundle(RegisterDagBundleRequest.newBuilder().setName("b").setTeam("ghosts").build()));
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
        admin.registerDag(RegisterDagRequest.newBuilder().setDagId("d").setBundle("no-such-bundle").build()));
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () ->
        admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId("no_dag").setRunId("r").build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> admin.createDagRun(CreateDagRunRequest.newBuilder()
        .setDagId(DemoData.ANALYTICS.dagId()).setRunId("r").setConfJson("[1]").build()));
    refusedWithoutChange(env, Status.Code.NOT_FOUND, () -> admin.queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(DemoData.ANALYTICS.dagId()).setRunId("no_run").setTaskId("t").setMapIndex(-1).build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> admin.queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId("é".repeat(250)).setRunId(DemoData.RUN_ID).setTaskId("t").setMapIndex(-2).build()));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () ->
        admin.revokeCertificates(RevokeCertificatesRequest.newBuilder().addSerialHex("xyz").build()));
    assertEquals(teams, env.count("select count(*) from team"));
  }

  @Test
  void revokesBySerialAndByTryAndEveryCallThenFails() throws Exception {
    try (TestTask bySerial = env.startTask(DemoData.ANALYTICS)) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
      bySerial.variables().getVariable(read);
      var response = env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
          .addSerialHex(bySerial.session().credentials().serialHex()).setReason("key leaked").build());
      assertEquals(1, response.getRevokedSerialHexCount());
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> bySerial.variables().getVariable(read));
      assertEquals(1, env.count("select count(*) from audit_event where kind = 'revoke' and resource = 'certificate:"
          + bySerial.session().credentials().serialHex() + "' and detail = 'key leaked'"));
    }
    try (TestTask byTry = env.startTask(DemoData.PAYMENTS)) {
      GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
      byTry.variables().getVariable(read);
      var identity = env.instance(dev.taskcert.pki.identity.SpiffeIdCodec.class).parse(byTry.spiffeId());
      var task = (dev.taskcert.pki.identity.TaskIdentity) identity;
      var response = env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
          .setTaskTry(TaskTryRef.newBuilder().setDagId(task.dagId()).setRunId(task.runId()).setTaskId(task.taskId())
              .setMapIndex(task.mapIndex()).setTryNumber(task.tryNumber()))
          .setReason("host compromised").build());
      assertEquals(1, response.getRevokedSerialHexCount());
      refusedWithoutChange(env, Status.Code.UNAUTHENTICATED, () -> byTry.variables().getVariable(read));
    }
  }

  @Test
  void revokingAQueuedTryVoidsItsEnrollmentToken() throws Exception {
    QueuedTry queued = env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), DemoData.RUN_ID, "revoked_while_queued",
        -1, 1, null);
    TaskIdentity task = queued.identity();
    var response = env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
        .setTaskTry(TaskTryRef.newBuilder().setDagId(task.dagId()).setRunId(task.runId()).setTaskId(task.taskId())
            .setMapIndex(task.mapIndex()).setTryNumber(task.tryNumber()))
        .setReason("worker host compromised").build());
    assertEquals(0, response.getRevokedSerialHexCount(), "nothing was issued yet");
    TaskcertException refused = assertThrows(TaskcertException.class,
        () -> Enrollment.enroll(env.supervisorConfig(), queued.enrollmentToken(), new SecureRandom()));
    assertEquals(Status.Code.UNAUTHENTICATED, refused.code());
    assertEquals(0, env.count("select count(*) from issued_certificate c join task_instance ti on ti.id = c.task_instance_id"
        + " where ti.task_id = 'revoked_while_queued'"));
    assertEquals(1, env.count("select count(*) from audit_event where kind = 'revoke'"
        + " and resource like 'enrollment_token:%/revoked_while_queued/-1/1'"));
  }

  @Test
  void pagesThroughTheAuditLogNewestFirst() throws Exception {
    for (String team : new String[] {"audit_a", "audit_b", "audit_c"}) {
      env.admin().registerTeam(RegisterTeamRequest.newBuilder().setName(team).build());
    }
    ListAuditEventsResponse first = env.admin().listAuditEvents(ListAuditEventsRequest.newBuilder().setPageSize(2).build());
    assertEquals(2, first.getEventsCount());
    assertTrue(first.getEvents(0).getId() > first.getEvents(1).getId());
    ListAuditEventsResponse second = env.admin().listAuditEvents(ListAuditEventsRequest.newBuilder()
        .setPageSize(2).setPageToken(first.getNextPageToken()).build());
    assertTrue(second.getEvents(0).getId() < first.getEvents(1).getId());
    assertEquals("admin", first.getEvents(0).getKind());
    assertEquals("team:audit_c", first.getEvents(0).getResource());
    assertTrue(first.getEvents(0).getPrincipal().endsWith("/admin/test-operator"));
    refusedWithoutChange(env, Status.Code.INVALID_ARGUMENT, () -> env.admin().listAuditEvents(
        ListAuditEventsRequest.newBuilder().setPageSize(5000).build()));
  }

  @Test
  void refusesAdminCertificatesOnTaskRpcs() throws Exception {
    ManagedChannel channel = ClientTls.mutualTlsChannel(env.dev().executionTarget(),
        env.credentialsFor(new dev.taskcert.pki.identity.AdminIdentity("scheduler")));
    try {
      io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(io.grpc.StatusRuntimeException.class,
          () -> dev.taskcert.proto.execution.v1.VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
              .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build()));
      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("not a task"), e.getStatus().getDescription());
    } finally {
      channel.shutdownNow();
    }
  }
}

package dev.taskcert.server.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.AdminSetConnectionRequest;
import dev.taskcert.proto.admin.v1.AdminSetVariableRequest;
import dev.taskcert.proto.admin.v1.CreateDagRunRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.ca.v1.RenewRequest;
import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.DeleteXComRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetXComCountRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.testing.DatabaseFingerprint;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskKeys;
import com.google.protobuf.ByteString;
import java.security.SecureRandom;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every way a legitimate certificate could be used against what it does not own: another team's
 * variables, connections and XComs, another run, a superseded or finished try, the Admin API with a
 * task certificate, the Execution API with an admin certificate. Each attempt gets its exact
 * documented status, is audited once, and leaves every table but the audit log byte-for-byte as it was.
 */
class ImpersonationTest {
  @RegisterExtension
  static final TestEnvironment env = new TestEnvironment();

  /** One attempt: what it tries, the status it must get, and the call. */
  private record Attempt(String what, Status.Code expected, Runnable call) {}

  private static TestTask start(DemoData.DemoTask task, String runId, String taskId) throws Exception {
    return env.startTask(env.dev().taskQueue().queue(task.dagId(), runId, taskId, -1, 2, null));
  }

  private static XComRef ref(String dagId, String runId, String taskId) {
    return XComRef.newBuilder().setDagId(dagId).setRunId(runId).setTaskId(taskId).setKey("return_value").build();
  }

  @Test
  void everyCrossBoundaryAttemptGetsItsExactStatusIsAuditedAndChangesNothing() throws Exception {
    AdminGrpc.AdminBlockingStub admin = env.admin();
    admin.createDagRun(CreateDagRunRequest.newBuilder().setDagId(DemoData.ANALYTICS.dagId())
        .setRunId("impersonation__other_run").build());
    admin.setConnection(AdminSetConnectionRequest.newBuilder().setConnId("payments_ledger_db")
        .setTeam(DemoData.PAYMENTS.team()).setConnType("postgres").setHost("ledger.internal").setPassword("s3cret").build());

    TestTask analytics = start(DemoData.ANALYTICS, DemoData.RUN_ID, "impersonator");
    TestTask payments = start(DemoData.PAYMENTS, DemoData.RUN_ID, "victim");
    payments.xcoms().setXCom(SetXComRequest.newBuilder().setKey("return_value").setValueJson("\"ledger\"").build());
    TestTask otherRun = start(DemoData.ANALYTICS, "impersonation__other_run", "other_run_task");
    otherRun.xcoms().setXCom(SetXComRequest.newBuilder().setKey("return_value").setValueJson("1").build());
    TestTask superseded = start(DemoData.ANALYTICS, DemoData.RUN_ID, "superseded");
    TestTask current = start(DemoData.ANALYTICS, DemoData.RUN_ID, "superseded");
    TestTask finished = start(DemoData.ANALYTICS, DemoData.RUN_ID, "finished");
    finished.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_SUCCESS).build());
    ManagedChannel adminChannel = ClientTls.mutualTlsChannel(env.dev().executionTarget(),
        env.credentialsFor(new AdminIdentity("impersonation-operator")));
    XComsGrpc.XComsBlockingStub adminOnExecutionApi =
        XComsGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
    ManagedChannel taskOnAdminChannel = ClientTls.mutualTlsChannel(env.dev().executionTarget(),
        analytics.session().credentials());
    AdminGrpc.AdminBlockingStub taskOnAdminApi =
        AdminGrpc.newBlockingStub(taskOnAdminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);

    List<Attempt> attempts = List.of(
        // Another team.
        new Attempt("read another team's variable", Status.Code.NOT_FOUND, () -> analytics.variables()
            .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.PAYMENTS.ownVariable()).build())),
        new Attempt("overwrite another team's variable", Status.Code.PERMISSION_DENIED, () -> analytics.variables()
            .setVariable(SetVariableRequest.newBuilder().setKey(DemoData.PAYMENTS.ownVariable()).setValue("x").build())),
        new Attempt("delete another team's variable", Status.Code.PERMISSION_DENIED, () -> analytics.variables()
            .deleteVariable(DeleteVariableRequest.newBuilder().setKey(DemoData.PAYMENTS.ownVariable()).build())),
        new Attempt("read another team's connection", Status.Code.NOT_FOUND, () -> analytics.connections()
            .getConnection(GetConnectionRequest.newBuilder().setConnId("payments_ledger_db").build())),
        new Attempt("read another team's XCom", Status.Code.NOT_FOUND, () -> analytics.xcoms().getXCom(
            GetXComRequest.newBuilder().setRef(ref(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, "victim")).build())),
        new Attempt("count another team's XComs", Status.Code.NOT_FOUND, () -> analytics.xcoms().getXComCount(
            GetXComCountRequest.newBuilder().setRef(ref(DemoData.PAYMENTS.dagId(), DemoData.RUN_ID, "victim")).build())),
        // A superseded try (its certificate is still valid, its try is not current).
        new Attempt("superseded try writes an XCom", Status.Code.FAILED_PRECONDITION, () -> superseded.xcoms()
            .setXCom(SetXComRequest.newBuilder().setKey("return_value").setValueJson("2").build())),
        new Attempt("superseded try finishes the task", Status.Code.FAILED_PRECONDITION, () -> superseded
            .taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build())),
        new Attempt("superseded try heartbeats", Status.Code.FAILED_PRECONDITION, () -> superseded.taskInstances()
            .heartbeat(HeartbeatRequest.newBuilder().setHostname("worker-1").setPid(4242).build())),
        new Attempt("superseded try renews its certificate", Status.Code.FAILED_PRECONDITION, () -> superseded.ca()
            .renew(RenewRequest.newBuilder()
                .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build())),
        // A finished try.
        new Attempt("finished try deletes its XCom", Status.Code.FAILED_PRECONDITION, () -> finished.xcoms()
            .deleteXCom(DeleteXComRequest.newBuilder().setKey("return_value").build())),
        new Attempt("finished try changes its final state", Status.Code.FAILED_PRECONDITION, () -> finished
            .taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build())),
        // The Admin API with a task certificate.
        new Attempt("task queues a try", Status.Code.PERMISSION_DENIED, () -> taskOnAdminApi.queueTaskInstance(
            QueueTaskInstanceRequest.newBuilder().setDagId(DemoData.PAYMENTS.dagId()).setRunId(DemoData.RUN_ID)
                .setTaskId("victim").setMapIndex(-1).setMaxTries(1).build())),
        new Attempt("task sets a variable as admin", Status.Code.PERMISSION_DENIED, () -> taskOnAdminApi.setVariable(
            AdminSetVariableRequest.newBuilder().setKey(DemoData.PAYMENTS.ownVariable()).setValue("x").build())),
        new Attempt("task revokes another task's certificate", Status.Code.PERMISSION_DENIED, () -> taskOnAdminApi
            .revokeCertificates(RevokeCertificatesRequest.newBuilder()
                .addSerialHex(payments.session().credentials().serialHex()).setReason("attack").build())),
        // The Execution API with an admin certificate.
        new Attempt("admin writes an XCom as if it were a task", Status.Code.PERMISSION_DENIED, () -> adminOnExecutionApi
            .setXCom(SetXComRequest.newBuilder().setKey("return_value").setValueJson("3").build())),
        new Attempt("admin reads a team's variable as if it were a task", Status.Code.PERMISSION_DENIED, () ->
            VariablesGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getVariable(GetVariableRequest.newBuilder().setKey(DemoData.PAYMENTS.ownVariable()).build())),
        new Attempt("admin renews as if it were a task", Status.Code.PERMISSION_DENIED, () ->
            RenewalGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .renew(RenewRequest.newBuilder()
                    .setCsrDer(ByteString.copyFrom(TaskKeys.csr(TaskKeys.generate(new SecureRandom())))).build())));

    // Allowed by the default TEAM read scope: reading another run of one's own team is not an attack.
    assertEquals("1", analytics.xcoms().getXCom(GetXComRequest.newBuilder()
        .setRef(ref(DemoData.ANALYTICS.dagId(), "impersonation__other_run", "other_run_task")).build()).getValueJson());

    List<String> problems = new ArrayList<>();
    try {
      for (Attempt attempt : attempts) {
        String before = DatabaseFingerprint.of(env);
        long auditBefore = env.count("select count(*) from audit_event");
        Status.Code code = null;
        try {
          attempt.call().run();
        } catch (StatusRuntimeException e) {
          code = e.getStatus().getCode();
        }
        if (code != attempt.expected()) {
          problems.add(attempt.what() + ": expected " + attempt.expected() + " but "
              + (code == null ? "it succeeded" : "got " + code));
        }
        if (!DatabaseFingerprint.of(env).equals(before)) {
          problems.add(attempt.what() + ": changed the database");
        }
        long audited = env.count("select count(*) from audit_event") - auditBefore;
        if (audited != 1) {
          problems.add(attempt.what() + ": " + audited + " audit events instead of 1");
        }
      }
    } finally {
      adminChannel.shutdownNow();
      taskOnAdminChannel.shutdownNow();
      for (TestTask task : List.of(analytics, payments, otherRun, superseded, current, finished)) {
        task.close();
      }
    }
    assertEquals(List.of(), problems);
  }
}

package dev.taskcert.server.grpc;

import dev.taskcert.pki.identity.AdminIdentity;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.ca.v1.EnrollmentGrpc;
import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.execution.v1.ConnectionsGrpc;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import dev.taskcert.server.catalog.Catalog;
import dev.taskcert.dev.DemoData;
import dev.taskcert.server.enrollment.QueuedTry;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.ManagedChannel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Who {@link RequestValidationFuzzTest} calls as: a running try of a task in a dag run of its own,
 * an admin, and a supervisor on the enrollment port, each over its own channel. Certificates are
 * issued in-process and never renew, so nothing changes the database between two calls but the
 * calls themselves. A fuzzed request may end the try (finish, defer, revoke, supersede it, or
 * fail its run); {@link #stillUsable()} notices, and the test starts the next generation.
 */
final class FuzzCallers implements AutoCloseable {
  static final String TASK_ID = "fuzzed_task";
  static final String HOSTNAME = "fuzz-worker";
  static final int PID = 4242;

  private static final String USABLE = """
      select ti.state = 'RUNNING' and ti.try_number = ? and r.state = 'running'
         and not exists (select 1 from revoked_serial where serial_hex in (?, ?))
      from task_instance ti join dag_run r on r.id = ti.dag_run_id
      where r.dag_id = ? and r.run_id = ? and ti.task_id = ? and ti.map_index = ?""";

  private final TestEnvironment env;
  private final int generation;
  private final TaskIdentity task;
  private final TaskCredentials taskCredentials;
  private final TaskCredentials adminCredentials;
  private final ManagedChannel taskChannel;
  private final ManagedChannel adminChannel;
  private final ManagedChannel enrollmentChannel;

  private FuzzCallers(TestEnvironment env, int generation, TaskIdentity task, TaskCredentials taskCredentials,
      TaskCredentials adminCredentials) throws Exception {
    this.env = env;
    this.generation = generation;
    this.task = task;
    this.taskCredentials = taskCredentials;
    this.adminCredentials = adminCredentials;
    this.taskChannel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), taskCredentials);
    this.adminChannel = ClientTls.mutualTlsChannel(env.dev().executionTarget(), adminCredentials);
    this.enrollmentChannel =
        ClientTls.serverAuthChannel(env.dev().enrollmentTarget(), env.supervisorConfig().trustRoots());
  }

  /** Creates a fresh dag run, queues and starts the task's try in it, and certifies an admin. */
  static FuzzCallers start(TestEnvironment env, int generation) throws Exception {
    String runId = "fuzz_run_" + generation;
    env.instance(Catalog.class).createDagRun(DemoData.ANALYTICS.dagId(), runId, Instant.now(), "manual");
    QueuedTry queued = env.dev().taskQueue().queue(DemoData.ANALYTICS.dagId(), runId, TASK_ID, -1, 1, null);
    FuzzCallers callers = new FuzzCallers(env, generation, queued.identity(),
        env.credentialsFor(queued.identity()), env.credentialsFor(new AdminIdentity("fuzz-operator")));
    callers.taskInstances().startTask(StartTaskRequest.newBuilder().setHostname(HOSTNAME).setPid(PID).build());
    return callers;
  }

  int generation() {
    return generation;
  }

  /** Whether the try still runs, is current, and neither certificate is revoked. */
  boolean stillUsable() throws SQLException {
    try (Connection connection = env.instance(DataSource.class).getConnection();
        PreparedStatement query = connection.prepareStatement(USABLE)) {
      query.setInt(1, task.tryNumber());
      query.setString(2, taskCredentials.serialHex());
      query.setString(3, adminCredentials.serialHex());
      query.setString(4, task.dagId());
      query.setString(5, task.runId());
      query.setString(6, task.taskId());
      query.setInt(7, task.mapIndex());
      try (ResultSet row = query.executeQuery()) {
        boolean usable = row.next() && row.getBoolean(1);
        connection.rollback();
        return usable;
      }
    }
  }

  XComsGrpc.XComsBlockingStub xcoms() {
    return XComsGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  VariablesGrpc.VariablesBlockingStub variables() {
    return VariablesGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ConnectionsGrpc.ConnectionsBlockingStub connections() {
    return ConnectionsGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.DagRunsGrpc.DagRunsBlockingStub dagRuns() {
    return dev.taskcert.proto.execution.v1.DagRunsGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc.TaskInstanceQueriesBlockingStub taskQueries() {
    return dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc.newBlockingStub(taskChannel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc.TaskInstanceDetailsBlockingStub taskDetails() {
    return dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc.newBlockingStub(taskChannel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  TaskInstancesGrpc.TaskInstancesBlockingStub taskInstances() {
    return TaskInstancesGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The CA service over the task's mutual-TLS channel (Renew). */
  RenewalGrpc.RenewalBlockingStub ca() {
    return RenewalGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The CA service on the enrollment port, as a supervisor without a certificate (Enroll). */
  EnrollmentGrpc.EnrollmentBlockingStub enrollment() {
    return EnrollmentGrpc.newBlockingStub(enrollmentChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.AssetsGrpc.AssetsBlockingStub assets() {
    return dev.taskcert.proto.execution.v1.AssetsGrpc.newBlockingStub(taskChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.TaskStoreGrpc.TaskStoreBlockingStub taskStore() {
    return dev.taskcert.proto.execution.v1.TaskStoreGrpc.newBlockingStub(taskChannel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.AssetStoreGrpc.AssetStoreBlockingStub assetStore() {
    return dev.taskcert.proto.execution.v1.AssetStoreGrpc.newBlockingStub(taskChannel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc.HumanInTheLoopBlockingStub hitl() {
    return dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc.newBlockingStub(taskChannel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.admin.v1.AssetAdminGrpc.AssetAdminBlockingStub assetAdmin() {
    return dev.taskcert.proto.admin.v1.AssetAdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  dev.taskcert.proto.admin.v1.HitlAdminGrpc.HitlAdminBlockingStub hitlAdmin() {
    return dev.taskcert.proto.admin.v1.HitlAdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  AdminGrpc.AdminBlockingStub admin() {
    return AdminGrpc.newBlockingStub(adminChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    taskChannel.shutdownNow();
    adminChannel.shutdownNow();
    enrollmentChannel.shutdownNow();
  }
}

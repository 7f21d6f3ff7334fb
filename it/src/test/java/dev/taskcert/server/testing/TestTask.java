package dev.taskcert.server.testing;

import dev.taskcert.proto.ca.v1.RenewalGrpc;
import dev.taskcert.proto.execution.v1.AssetStoreGrpc;
import dev.taskcert.proto.execution.v1.AssetsGrpc;
import dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc;
import dev.taskcert.proto.execution.v1.TaskStoreGrpc;
import dev.taskcert.proto.execution.v1.ConnectionsGrpc;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import dev.taskcert.supervisor.channel.ClientTls;
import dev.taskcert.supervisor.TaskSession;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;

/** A started task try with raw gRPC stubs over its own mutual-TLS channel. */
public final class TestTask implements AutoCloseable {
  private final TaskSession session;
  private final ManagedChannel channel;

  TestTask(TaskSession session, String executionTarget) {
    this.session = session;
    this.channel = ClientTls.mutualTlsChannel(executionTarget, session.credentials());
  }

  public TaskSession session() {
    return session;
  }

  public String spiffeId() {
    return session.credentials().spiffeId();
  }

  public VariablesGrpc.VariablesBlockingStub variables() {
    return VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public ConnectionsGrpc.ConnectionsBlockingStub connections() {
    return ConnectionsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public XComsGrpc.XComsBlockingStub xcoms() {
    return XComsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public TaskInstancesGrpc.TaskInstancesBlockingStub taskInstances() {
    return TaskInstancesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public AssetsGrpc.AssetsBlockingStub assets() {
    return AssetsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public TaskStoreGrpc.TaskStoreBlockingStub taskStore() {
    return TaskStoreGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public AssetStoreGrpc.AssetStoreBlockingStub assetStore() {
    return AssetStoreGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public HumanInTheLoopGrpc.HumanInTheLoopBlockingStub hitl() {
    return HumanInTheLoopGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public dev.taskcert.proto.execution.v1.DagRunsGrpc.DagRunsBlockingStub dagRuns() {
    return dev.taskcert.proto.execution.v1.DagRunsGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc.TaskInstanceQueriesBlockingStub taskInstanceQueries() {
    return dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc.TaskInstanceDetailsBlockingStub taskInstanceDetails() {
    return dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public RenewalGrpc.RenewalBlockingStub ca() {
    return RenewalGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    session.close();
  }
}

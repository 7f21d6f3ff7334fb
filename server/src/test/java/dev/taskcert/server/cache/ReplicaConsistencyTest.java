package dev.taskcert.server.cache;

import static dev.taskcert.server.testing.Statuses.codeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.TaskState;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.server.ServerRuntime;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.dev.DemoData;
import dev.taskcert.server.testing.TestEnvironment;
import dev.taskcert.server.testing.TestTask;
import dev.taskcert.supervisor.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two server replicas on one database agree: a try ended or a certificate revoked through one is
 * refused by the other long before the cache TTL, because PostgreSQL NOTIFY reaches both.
 */
class ReplicaConsistencyTest {
  /** Longer than any wait below, so only a notification can explain a refusal. */
  private static final Duration CACHE_TTL = Duration.ofMinutes(2);
  private static final long WAIT_MILLIS = 10_000;

  private static TestEnvironment env;
  private static ServerRuntime replica;

  @BeforeAll
  static void start() throws Exception {
    env = new TestEnvironment(builder -> builder.cacheTtl(CACHE_TTL));
    ServerConfig second = new ServerConfig(env.dev.config().trustDomain(), "127.0.0.1", 0, 0, -1,
        env.dev.config().caDirectory(), env.dev.config().serverNames(), env.dev.config().database(),
        env.dev.config().issuance(), env.dev.config().enrollmentTokenTtl(), true, CACHE_TTL,
        env.dev.config().secretKeyFile(), env.dev.config().maxXComValueBytes());
    replica = ServerRuntime.start(second, env.clock);
  }

  @AfterAll
  static void stop() throws Exception {
    replica.close();
    env.close();
  }

  private static VariablesGrpc.VariablesBlockingStub onReplica(ManagedChannel channel) {
    return VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Polls until the call fails with {@code expected}, for at most {@link #WAIT_MILLIS}. */
  private static void awaitRefusal(Runnable call, Status.Code expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (System.nanoTime() < deadline) {
      try {
        call.run();
      } catch (StatusRuntimeException e) {
        assertEquals(expected, e.getStatus().getCode(), e.toString());
        return;
      }
      Thread.sleep(50);
    }
    fail("the replica still accepted the call after " + WAIT_MILLIS + " ms");
  }

  @Test
  void tryEndedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    try (TestTask task = env.startTask(DemoData.ANALYTICS)) {
      ManagedChannel channel = ClientTls.mutualTlsChannel("localhost:" + replica.executionPort(), task.session().credentials());
      try {
        GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
        assertEquals("dev", onReplica(channel).getVariable(read).getValue()); // warms the replica's cache
        task.taskInstances().finishTask(FinishTaskRequest.newBuilder().setState(TaskState.TASK_STATE_FAILED).build());
        awaitRefusal(() -> onReplica(channel).getVariable(read), Status.Code.FAILED_PRECONDITION);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void certificateRevokedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    try (TestTask task = env.startTask(DemoData.PAYMENTS)) {
      ManagedChannel channel = ClientTls.mutualTlsChannel("localhost:" + replica.executionPort(), task.session().credentials());
      try {
        GetVariableRequest read = GetVariableRequest.newBuilder().setKey(DemoData.GLOBAL_VARIABLE).build();
        onReplica(channel).getVariable(read);
        env.admin().revokeCertificates(RevokeCertificatesRequest.newBuilder()
            .addSerialHex(task.session().credentials().serialHex()).setReason("test").build());
        awaitRefusal(() -> onReplica(channel).getVariable(read), Status.Code.UNAUTHENTICATED);
        assertEquals(Status.Code.UNAUTHENTICATED, codeOf(() -> onReplica(channel).getVariable(read)));
      } finally {
        channel.shutdownNow();
      }
    }
  }
}

package dev.taskcert.server.soak;

import dev.taskcert.proto.admin.v1.AdminGrpc;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceRequest;
import dev.taskcert.proto.admin.v1.QueueTaskInstanceResponse;
import dev.taskcert.proto.admin.v1.RevokeCertificatesRequest;
import dev.taskcert.proto.admin.v1.RevokeCertificatesResponse;
import dev.taskcert.proto.admin.v1.TaskTryRef;
import dev.taskcert.dev.DemoData;
import dev.taskcert.supervisor.client.TerminalState;
import java.util.List;
import java.util.function.Supplier;

/**
 * Injects faults the way they happen in production: an operator revokes a try through the Admin
 * API, a task reports its end, the control plane queues the next try. Also queues the tries the
 * soak starts, through the same Admin API.
 */
final class FaultInjector {
  private static final List<TerminalState> ENDINGS =
      List.of(TerminalState.SUCCESS, TerminalState.FAILED, TerminalState.UP_FOR_RETRY);

  private final Supplier<AdminGrpc.AdminBlockingStub> admin;
  private int endings;

  FaultInjector(Supplier<AdminGrpc.AdminBlockingStub> admin) {
    this.admin = admin;
  }

  /** Queues the next try of the task in {@code slot} (the first, if it has none) and returns its token. */
  String queueNextTry(int slot, SoakWorld world) {
    QueueTaskInstanceResponse queued = admin.get().queueTaskInstance(QueueTaskInstanceRequest.newBuilder()
        .setDagId(world.teamOf(slot).demo().dagId()).setRunId(DemoData.RUN_ID).setTaskId(SoakWorld.taskIdOf(slot))
        .setMapIndex(-1).setMaxTries(1).build());
    return queued.getEnrollmentToken();
  }

  /**
   * Injects {@code fault} into the try of {@code target}, which no worker is calling through now.
   *
   * @throws IllegalStateException if the fault did not take (nothing was revoked)
   */
  void inject(Fault fault, SoakSupervisor target, SoakWorld world) {
    target.markFaulted(fault);
    switch (fault) {
      case REVOKED -> {
        RevokeCertificatesResponse revoked = admin.get().revokeCertificates(RevokeCertificatesRequest.newBuilder()
            .setReason("soak: revoked while running")
            .setTaskTry(TaskTryRef.newBuilder().setDagId(target.team().demo().dagId()).setRunId(DemoData.RUN_ID)
                .setTaskId(target.taskId()).setMapIndex(-1).setTryNumber(target.tryNumber()))
            .build());
        if (revoked.getRevokedSerialHexCount() == 0) {
          throw new IllegalStateException("revoking " + target + " revoked no certificate");
        }
      }
      case FINISHED -> target.client().finishTask(ENDINGS.get(endings++ % ENDINGS.size()));
      case SUPERSEDED -> target.successorToken(queueNextTry(target.slot(), world));
    }
  }
}

package dev.taskcert.server.taskinstance;

import com.google.protobuf.Timestamp;
import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.FinishTaskResponse;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.CallContext;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The task-instance lifecycle RPCs, always acting on the caller's own try as named by its
 * certificate. Transitions happen under a row lock so concurrent calls cannot interleave.
 */
public final class TaskInstanceService extends TaskInstancesGrpc.TaskInstancesImplBase {
  private static final Set<TaskState> FINISH_STATES =
      EnumSet.of(TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED, TaskState.UP_FOR_RETRY, TaskState.REMOVED);

  private final Transactions transactions;
  private final LiveTryGuard guard;
  private final Clock clock;

  @Inject
  TaskInstanceService(Transactions transactions, LiveTryGuard guard, Clock clock) {
    this.transactions = transactions;
    this.guard = guard;
    this.clock = clock;
  }

  @Override
  public void startTask(StartTaskRequest request, StreamObserver<StartTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String hostname = RequestLimits.requireText(request.getHostname(), "hostname", 255);
      String unixUser = RequestLimits.optionalText(request.getUnixUser(), "unix_user", 64);
      if (request.getPid() <= 0) {
        throw RequestLimits.invalid("pid must be positive");
      }
      Instant startDate = request.hasStartDate() ? toInstant(request.getStartDate()) : clock.instant();
      TaskInstanceRow row = transactions.inTransaction(session -> {
        TaskInstanceMapper mapper = session.getMapper(TaskInstanceMapper.class);
        TaskInstanceRow locked =
            mapper.lock(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex());
        if (locked != null && locked.tryNumber() == caller.tryNumber()
            && locked.taskState() == TaskState.RUNNING
            && hostname.equals(locked.hostname()) && Integer.valueOf(request.getPid()).equals(locked.pid())) {
          return locked; // the same start repeated after a lost answer
        }
        guard.check(caller, locked, EnumSet.of(TaskState.QUEUED));
        mapper.markRunning(locked.id(), caller.tryNumber(), hostname, request.getPid(), unixUser, startDate);
        return locked;
      });
      return StartTaskResponse.newBuilder()
          .setMaxTries(row.maxTries())
          .setTryNumber(row.tryNumber())
          .setDagRun(dev.taskcert.proto.execution.v1.DagRunInfo.newBuilder()
              .setDagId(row.dagId())
              .setRunId(row.runId()))
          .build();
    });
  }

  @Override
  public void finishTask(FinishTaskRequest request, StreamObserver<FinishTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      TaskState target = TaskState.fromProto(request.getState());
      if (target == null || !FINISH_STATES.contains(target)) {
        throw RequestLimits.invalid("state must be one of " + FINISH_STATES + ", got " + request.getState());
      }
      Instant endDate = request.hasEndDate() ? toInstant(request.getEndDate()) : clock.instant();
      transactions.inTransaction(session -> {
        TaskInstanceMapper mapper = session.getMapper(TaskInstanceMapper.class);
        TaskInstanceRow locked =
            mapper.lock(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex());
        if (locked != null && locked.tryNumber() == caller.tryNumber() && locked.taskState() == target) {
          return locked; // the same finish repeated after a lost answer
        }
        guard.check(caller, locked, EnumSet.of(TaskState.RUNNING));
        mapper.markFinished(locked.id(), caller.tryNumber(), target.name(), endDate);
        return locked;
      });
      return FinishTaskResponse.newBuilder().setState(target.toProto()).build();
    });
  }

  private static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}

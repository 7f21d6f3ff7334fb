package dev.taskcert.server.taskinstance;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.DagRunInfo;
import dev.taskcert.proto.execution.v1.DeferTaskRequest;
import dev.taskcert.proto.execution.v1.DeferTaskResponse;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.FinishTaskResponse;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunResponse;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.HeartbeatResponse;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.RescheduleTaskResponse;
import dev.taskcert.proto.execution.v1.SetRenderedFieldsRequest;
import dev.taskcert.proto.execution.v1.SetRenderedFieldsResponse;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamResponse;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.server.catalog.CatalogMapper;
import dev.taskcert.server.catalog.DagRunRow;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.CallContext;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.xcom.XComMapper;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.ibatis.session.SqlSession;

/**
 * The task-instance lifecycle RPCs, always acting on the caller's own try as named by its
 * certificate (requests carry no dag, run or task ids). Each transition runs under a row lock, so
 * concurrent calls cannot interleave, and repeating a transition that already happened (a retry
 * after a lost answer) returns the same result instead of an error.
 */
public final class TaskInstanceService extends TaskInstancesGrpc.TaskInstancesImplBase {
  /** States FinishTask accepts. */
  public static final Set<TaskState> FINISH_STATES =
      EnumSet.of(TaskState.SUCCESS, TaskState.FAILED, TaskState.SKIPPED, TaskState.UP_FOR_RETRY, TaskState.REMOVED);
  /** Largest JSON document accepted for trigger arguments and rendered fields. */
  public static final int MAX_JSON_BYTES = 256 * 1024;
  /** Most task ids one SkipDownstream may name. */
  public static final int MAX_SKIP_TASKS = 1000;

  private static final EnumSet<TaskState> RUNNING = EnumSet.of(TaskState.RUNNING);

  private final Transactions transactions;
  private final LiveTryGuard guard;
  private final TaskInstanceCache cache;
  private final Clock clock;

  @Inject
  TaskInstanceService(Transactions transactions, LiveTryGuard guard, TaskInstanceCache cache, Clock clock) {
    this.transactions = transactions;
    this.guard = guard;
    this.cache = cache;
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
      Instant startDate = request.hasStartDate() ? Timestamps.toInstant(request.getStartDate(), "start_date") : clock.instant();
      StartTaskResponse response = transactions.inTransaction(session -> {
        TaskInstanceMapper mapper = session.getMapper(TaskInstanceMapper.class);
        TaskInstanceRow row = lock(session, caller);
        boolean repeated = row != null && row.tryNumber() == caller.tryNumber()
            && row.taskState() == TaskState.RUNNING
            && hostname.equals(row.hostname()) && Objects.equals(request.getPid(), row.pid());
        if (!repeated) {
          guard.check(caller, row, EnumSet.of(TaskState.QUEUED));
          mapper.markRunning(row.id(), caller.tryNumber(), hostname, request.getPid(), unixUser, startDate);
        }
        DagRunRow run = session.getMapper(CatalogMapper.class).dagRun(caller.dagId(), caller.runId());
        return StartTaskResponse.newBuilder()
            .setDagRun(dagRunInfo(run))
            .setMaxTries(row.maxTries())
            .setTryNumber(row.tryNumber())
            .addAllXcomKeysToClear(session.getMapper(XComMapper.class)
                .keysOf(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex()))
            .build();
      });
      cache.invalidate(caller);
      return response;
    });
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String hostname = RequestLimits.requireText(request.getHostname(), "hostname", 255);
      TaskInstanceRow row = guard.require(caller, RUNNING);
      if (!hostname.equals(row.hostname()) || !Objects.equals(request.getPid(), row.pid())) {
        throw guard.refuse(caller, "heartbeat from " + hostname + " pid " + request.getPid()
            + " but the try runs on " + row.hostname() + " pid " + row.pid());
      }
      int updated = transactions.withMapper(TaskInstanceMapper.class,
          mapper -> mapper.heartbeat(row.id(), caller.tryNumber(), clock.instant()));
      if (updated == 0) {
        cache.invalidate(caller);
        guard.require(caller, RUNNING); // the state changed under us: report it
      }
      return HeartbeatResponse.newBuilder().setState(TaskState.RUNNING.toProto()).build();
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
      Instant endDate = request.hasEndDate() ? Timestamps.toInstant(request.getEndDate(), "end_date") : clock.instant();
      transition(caller, target, (mapper, row) -> mapper.markFinished(row.id(), caller.tryNumber(), target.name(), endDate));
      return FinishTaskResponse.newBuilder().setState(target.toProto()).build();
    });
  }

  @Override
  public void deferTask(DeferTaskRequest request, StreamObserver<DeferTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String classpath = RequestLimits.requireText(request.getClasspath(), "classpath", 1024);
      String triggerKwargs = JsonValues.requireJsonObject(request.getTriggerKwargsJson(), "trigger_kwargs_json", MAX_JSON_BYTES);
      String nextMethod = RequestLimits.optionalText(request.getNextMethod(), "next_method", 255);
      String nextKwargs = JsonValues.requireJsonObject(request.getNextKwargsJson(), "next_kwargs_json", MAX_JSON_BYTES);
      Instant timeout = request.hasTriggerTimeout() ? Timestamps.toInstant(request.getTriggerTimeout(), "trigger_timeout") : null;
      transition(caller, TaskState.DEFERRED, (mapper, row) ->
          mapper.markDeferred(row.id(), caller.tryNumber(), classpath, triggerKwargs, timeout, nextMethod, nextKwargs));
      return DeferTaskResponse.getDefaultInstance();
    });
  }

  @Override
  public void rescheduleTask(RescheduleTaskRequest request, StreamObserver<RescheduleTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      if (!request.hasRescheduleDate()) {
        throw RequestLimits.invalid("reschedule_date is required");
      }
      Instant rescheduleDate = Timestamps.toInstant(request.getRescheduleDate(), "reschedule_date");
      Instant endDate = request.hasEndDate() ? Timestamps.toInstant(request.getEndDate(), "end_date") : clock.instant();
      transition(caller, TaskState.UP_FOR_RESCHEDULE, (mapper, row) -> {
        if (!rescheduleDate.isAfter(clock.instant())) {
          throw RequestLimits.invalid("reschedule_date must be in the future");
        }
        return mapper.markRescheduled(row.id(), caller.tryNumber(), rescheduleDate, endDate);
      });
      return RescheduleTaskResponse.getDefaultInstance();
    });
  }

  @Override
  public void setRenderedFields(SetRenderedFieldsRequest request, StreamObserver<SetRenderedFieldsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      String fields = JsonValues.requireJsonObject(request.getFieldsJson(), "fields_json", MAX_JSON_BYTES);
      transactions.inTransaction(session -> {
        TaskInstanceRow row = guard.check(caller, lock(session, caller), RUNNING);
        return session.getMapper(TaskInstanceMapper.class).setRenderedFields(row.id(), caller.tryNumber(), fields);
      });
      return SetRenderedFieldsResponse.getDefaultInstance();
    });
  }

  @Override
  public void skipDownstream(SkipDownstreamRequest request, StreamObserver<SkipDownstreamResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      if (request.getTaskIdsCount() == 0 || request.getTaskIdsCount() > MAX_SKIP_TASKS) {
        throw RequestLimits.invalid("task_ids must name 1 to " + MAX_SKIP_TASKS + " tasks");
      }
      Set<String> taskIds = new LinkedHashSet<>();
      for (String taskId : request.getTaskIdsList()) {
        RequestLimits.requireText(taskId, "task_ids", 250);
        if (taskId.equals(caller.taskId())) {
          throw RequestLimits.invalid("a task cannot skip itself");
        }
        taskIds.add(taskId);
      }
      int skipped = transactions.inTransaction(session -> {
        TaskInstanceMapper mapper = session.getMapper(TaskInstanceMapper.class);
        TaskInstanceRow row = guard.check(caller, lock(session, caller), RUNNING);
        long dagRunId = mapper.dagRunIdOf(row.id());
        List<String> ids = List.copyOf(taskIds);
        return mapper.skipQueued(dagRunId, ids) + mapper.insertSkipped(dagRunId, ids);
      });
      return SkipDownstreamResponse.newBuilder().setSkippedCount(skipped).build();
    });
  }

  @Override
  public void getPreviousSuccessfulDagRun(
      GetPreviousSuccessfulDagRunRequest request, StreamObserver<GetPreviousSuccessfulDagRunResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = CallContext.principal().requireTask();
      guard.require(caller, RUNNING);
      DagRunRow previous = transactions.withMapper(CatalogMapper.class,
          mapper -> mapper.previousSuccessfulRun(caller.dagId(), caller.runId()));
      GetPreviousSuccessfulDagRunResponse.Builder response = GetPreviousSuccessfulDagRunResponse.newBuilder();
      if (previous != null) {
        response.setDagRun(dagRunInfo(previous));
      }
      return response.build();
    });
  }

  /**
   * Moves the caller's RUNNING try to {@code target} under a row lock; when the try is already in
   * {@code target}, treats the call as a repeat and changes nothing.
   */
  private void transition(TaskIdentity caller, TaskState target,
      BiFunction<TaskInstanceMapper, TaskInstanceRow, Integer> write) {
    transactions.inTransaction(session -> {
      TaskInstanceRow row = lock(session, caller);
      if (row != null && row.tryNumber() == caller.tryNumber() && row.taskState() == target) {
        return row;
      }
      guard.check(caller, row, RUNNING);
      write.apply(session.getMapper(TaskInstanceMapper.class), row);
      return row;
    });
    cache.invalidate(caller);
  }

  private static TaskInstanceRow lock(SqlSession session, TaskIdentity caller) {
    return session.getMapper(TaskInstanceMapper.class)
        .lock(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex());
  }

  static DagRunInfo dagRunInfo(DagRunRow run) {
    DagRunInfo.Builder info = DagRunInfo.newBuilder()
        .setDagId(run.dagId())
        .setRunId(run.runId())
        .setRunType(run.runType())
        .setConfJson(run.confJson());
    if (run.logicalDate() != null) {
      info.setLogicalDate(Timestamps.of(run.logicalDate()));
    }
    if (run.dataIntervalStart() != null) {
      info.setDataIntervalStart(Timestamps.of(run.dataIntervalStart()));
    }
    if (run.dataIntervalEnd() != null) {
      info.setDataIntervalEnd(Timestamps.of(run.dataIntervalEnd()));
    }
    return info.build();
  }
}

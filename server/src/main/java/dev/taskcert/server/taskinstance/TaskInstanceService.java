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
import dev.taskcert.server.asset.AssetOutlets;
import dev.taskcert.server.authz.CallerFactsRow;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.authz.TryGate;
import dev.taskcert.server.catalog.CatalogMapper;
import dev.taskcert.server.catalog.DagRunRow;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
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
import java.util.function.Consumer;
import org.apache.ibatis.session.SqlSession;

/**
 * The task-instance lifecycle RPCs, always acting on the caller's own try as named by its
 * certificate (requests carry no dag, run or task ids). The front door has admitted the try in a
 * state the method's rule allows; each transition applies the same rule again under the row lock
 * ({@link TryGate#lock}), so concurrent calls cannot interleave, and a call that finds the try
 * already where it would move it (a retry after a lost answer) returns the same result if it is
 * the same call again. A heartbeat, the most frequent call, is one statement that checks the
 * certificate's revocation and the try as the front door would and records the heartbeat (its
 * rule says the gate is in its statement).
 */
public final class TaskInstanceService extends TaskInstancesGrpc.TaskInstancesImplBase {
  /** States FinishTask accepts. */
  public static final Set<TaskState> FINISH_STATES = EnumSet.of(TaskState.SUCCESS, TaskState.FAILED,
      TaskState.SKIPPED, TaskState.UP_FOR_RETRY, TaskState.REMOVED, TaskState.UPSTREAM_FAILED);
  /** Longest rendered map index (Airflow's column is 250 characters). */
  public static final int MAX_RENDERED_MAP_INDEX = 250;
  /** Longest retry delay FinishTask accepts. */
  public static final java.time.Duration MAX_RETRY_DELAY = java.time.Duration.ofDays(366);
  /** Largest JSON document accepted for trigger arguments and rendered fields. */
  public static final int MAX_JSON_BYTES = 256 * 1024;
  /** Most task ids one SkipDownstream may name. */
  public static final int MAX_SKIP_TASKS = 1000;

  private final Transactions transactions;
  private final TryGate gate;
  private final CurrentCall call;
  private final TaskInstanceCache cache;
  private final Clock clock;
  /** Records outlet asset events of a successful FinishTask. */
  private final AssetOutlets assetOutlets;

  /** The server's bound on a try's duration, which the caller's facts are read with. */
  private final long maxTryMillis;

  @Inject
  TaskInstanceService(Transactions transactions, TryGate gate, CurrentCall call, TaskInstanceCache cache, Clock clock,
      AssetOutlets assetOutlets, ServerConfig config) {
    this.assetOutlets = assetOutlets;
    this.maxTryMillis = config.liveness().maxTryDuration().toMillis();
    this.transactions = transactions;
    this.gate = gate;
    this.call = call;
    this.cache = cache;
    this.clock = clock;
  }

  @Override
  public void startTask(StartTaskRequest request, StreamObserver<StartTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = call.task();
      String hostname = RequestLimits.requireText(request.getHostname(), "hostname", 255);
      String unixUser = RequestLimits.optionalText(request.getUnixUser(), "unix_user", 64);
      if (request.getPid() <= 0) {
        throw RequestLimits.invalid("pid must be positive");
      }
      Instant startDate = request.hasStartDate() ? Timestamps.toInstant(request.getStartDate(), "start_date") : clock.instant();
      StartTaskResponse response = transactions.inTransaction(session -> {
        TryGate.LockedTry locked = gate.lock(session);
        TaskInstanceRow row = locked.row();
        if (locked.repeat()) {
          locked.requireSameCall(hostname.equals(row.hostname()) && Objects.equals(request.getPid(), row.pid()));
        } else {
          session.getMapper(TaskInstanceMapper.class)
              .markRunning(row.id(), caller.tryNumber(), hostname, request.getPid(), unixUser, startDate);
        }
        DagRunRow run = session.getMapper(CatalogMapper.class).dagRun(caller.dagId(), caller.runId());
        StartTaskResponse.Builder started = StartTaskResponse.newBuilder()
            .setDagRun(dagRunInfo(run))
            .setMaxTries(row.maxTries())
            .setTryNumber(row.tryNumber())
            .addAllXcomKeysToClear(session.getMapper(XComMapper.class)
                .keysOf(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex()));
        RunContexts.complete(started, session.getMapper(RunContextMapper.class), row, caller);
        return started.build();
      });
      cache.invalidate(caller);
      return response;
    });
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = call.task();
      String hostname;
      try {
        hostname = RequestLimits.requireText(request.getHostname(), "hostname", 255);
      } catch (Refusal invalid) {
        // Refused for the certificate or the try first, as the front door refuses any other call.
        gate.appliedNow();
        throw invalid;
      }
      List<String> states = call.rule().tryStates().stream().map(Enum::name).toList();
      CallerFactsRow refused = transactions.oneStatement(TaskInstanceMapper.class, mapper -> mapper.heartbeat(
          call.principal().serialHex(), caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex(),
          caller.tryNumber(), states, hostname, request.getPid(), maxTryMillis));
      if (refused == null) {
        gate.admittedByStatement();
      } else {
        requireSameProcess(gate.applied(refused), hostname, request.getPid());
        // Everything the statement read passed, yet it changed nothing: the try changed under it.
        requireSameProcess(gate.readmit(), hostname, request.getPid());
      }
      return HeartbeatResponse.newBuilder().setState(TaskState.RUNNING.toProto()).build();
    });
  }

  /** Refuses a heartbeat from another host or process than the one the try started on. */
  private static void requireSameProcess(TaskInstanceRow row, String hostname, int pid) {
    if (!hostname.equals(row.hostname()) || !Objects.equals(pid, row.pid())) {
      throw Refusal.tryState("heartbeat from " + hostname + " pid " + pid
          + " but the try runs on " + row.hostname() + " pid " + row.pid());
    }
  }

  @Override
  public void finishTask(FinishTaskRequest request, StreamObserver<FinishTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskState target = TaskState.fromProto(request.getState());
      if (target == null || !FINISH_STATES.contains(target)) {
        throw RequestLimits.invalid("state must be one of " + FINISH_STATES + ", got " + request.getState());
      }
      Instant endDate = request.hasEndDate() ? Timestamps.toInstant(request.getEndDate(), "end_date") : clock.instant();
      String renderedMapIndex = renderedMapIndex(request.getRenderedMapIndex());
      String retryReason = RequestLimits.optionalText(request.getRetryReason(), "retry_reason", 1024);
      Long retryDelaySeconds = null;
      if (request.hasRetryDelay()) {
        java.time.Duration delay = java.time.Duration.ofSeconds(request.getRetryDelay().getSeconds(),
            request.getRetryDelay().getNanos());
        if (delay.isNegative() || delay.compareTo(MAX_RETRY_DELAY) > 0) {
          throw RequestLimits.invalid("retry_delay must be 0 to " + MAX_RETRY_DELAY.toDays() + " days");
        }
        retryDelaySeconds = delay.toSeconds();
      }
      if (target != TaskState.UP_FOR_RETRY && (retryDelaySeconds != null || !retryReason.isEmpty())) {
        throw RequestLimits.invalid("retry_delay and retry_reason are for UP_FOR_RETRY only");
      }
      Long delaySeconds = retryDelaySeconds;
      String reason = retryReason.isEmpty() ? null : retryReason;
      AssetOutlets.Prepared outlets = assetOutlets.prepare(request.getOutletsList(), target == TaskState.SUCCESS);
      transition(target, (mapper, row) -> mapper.markFinished(row.id(), row.tryNumber(), target.name(), endDate,
          renderedMapIndex, delaySeconds, reason), session -> outlets.record(session, clock.instant()));
      return FinishTaskResponse.newBuilder().setState(target.toProto()).build();
    });
  }

  @Override
  public void deferTask(DeferTaskRequest request, StreamObserver<DeferTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String classpath = RequestLimits.requireText(request.getClasspath(), "classpath", 1024);
      String triggerKwargs = RunContexts.jsonOrSealed(request.getTriggerKwargsJson(), "trigger_kwargs_json",
          request.getTriggerKwargsSealed(), "trigger_kwargs_sealed", MAX_JSON_BYTES);
      String nextMethod = RequestLimits.optionalText(request.getNextMethod(), "next_method", 255);
      String nextKwargs = RunContexts.jsonOrSealed(request.getNextKwargsJson(), "next_kwargs_json",
          request.getNextKwargsSealed(), "next_kwargs_sealed", MAX_JSON_BYTES);
      String triggerQueue = RequestLimits.optionalText(request.getTriggerQueue(), "trigger_queue", 256);
      String renderedMapIndex = renderedMapIndex(request.getRenderedMapIndex());
      Instant timeout = request.hasTriggerTimeout() ? Timestamps.toInstant(request.getTriggerTimeout(), "trigger_timeout") : null;
      transition(TaskState.DEFERRED, (mapper, row) ->
          mapper.markDeferred(row.id(), row.tryNumber(), classpath, triggerKwargs, timeout, nextMethod, nextKwargs,
              triggerQueue.isEmpty() ? null : triggerQueue, renderedMapIndex));
      return DeferTaskResponse.getDefaultInstance();
    });
  }

  @Override
  public void rescheduleTask(RescheduleTaskRequest request, StreamObserver<RescheduleTaskResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      if (!request.hasRescheduleDate()) {
        throw RequestLimits.invalid("reschedule_date is required");
      }
      Instant rescheduleDate = Timestamps.toInstant(request.getRescheduleDate(), "reschedule_date");
      Instant endDate = request.hasEndDate() ? Timestamps.toInstant(request.getEndDate(), "end_date") : clock.instant();
      // Like Airflow, any date is accepted: one already past means "as soon as possible".
      transition(TaskState.UP_FOR_RESCHEDULE,
          (mapper, row) -> mapper.markRescheduled(row.id(), row.tryNumber(), rescheduleDate, endDate));
      return RescheduleTaskResponse.getDefaultInstance();
    });
  }

  @Override
  public void setRenderedFields(SetRenderedFieldsRequest request, StreamObserver<SetRenderedFieldsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String fields = JsonValues.requireJsonObject(request.getFieldsJson(), "fields_json", MAX_JSON_BYTES);
      transactions.inTransaction(session -> {
        TaskInstanceRow row = gate.lock(session).row();
        return session.getMapper(TaskInstanceMapper.class).setRenderedFields(row.id(), row.tryNumber(), fields);
      });
      return SetRenderedFieldsResponse.getDefaultInstance();
    });
  }

  @Override
  public void skipDownstream(SkipDownstreamRequest request, StreamObserver<SkipDownstreamResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = call.task();
      int named = request.getTaskIdsCount() + request.getTasksCount();
      if (named == 0 || named > MAX_SKIP_TASKS) {
        throw RequestLimits.invalid("task_ids and tasks must name 1 to " + MAX_SKIP_TASKS + " tasks together");
      }
      Set<String> taskIds = new LinkedHashSet<>();
      for (String taskId : request.getTaskIdsList()) {
        RequestLimits.requireText(taskId, "task_ids", 250);
        if (taskId.equals(caller.taskId())) {
          throw RequestLimits.invalid("a task cannot skip itself");
        }
        taskIds.add(taskId);
      }
      Set<SkippedTaskRef> pairs = new LinkedHashSet<>();
      for (var task : request.getTasksList()) {
        RequestLimits.requireText(task.getTaskId(), "tasks.task_id", 250);
        if (task.getMapIndex() < -1) {
          throw RequestLimits.invalid("tasks.map_index must be -1 or more");
        }
        if (task.getTaskId().equals(caller.taskId())) {
          throw RequestLimits.invalid("a task cannot skip itself");
        }
        pairs.add(new SkippedTaskRef(task.getTaskId(), task.getMapIndex()));
      }
      int skipped = transactions.inTransaction(session -> {
        TaskInstanceRow row = gate.lock(session).row();
        long dagRunId = session.getMapper(TaskInstanceMapper.class).dagRunIdOf(row.id());
        return new DownstreamSkips(session).skip(caller, dagRunId, taskIds, pairs);
      });
      return SkipDownstreamResponse.newBuilder().setSkippedCount(skipped).build();
    });
  }

  @Override
  public void getPreviousSuccessfulDagRun(
      GetPreviousSuccessfulDagRunRequest request, StreamObserver<GetPreviousSuccessfulDagRunResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = call.task();
      DagRunRow previous = transactions.withMapper(CatalogMapper.class,
          mapper -> mapper.previousSuccessfulRun(caller.dagId(), caller.runId()));
      GetPreviousSuccessfulDagRunResponse.Builder response = GetPreviousSuccessfulDagRunResponse.newBuilder();
      if (previous != null) {
        response.setDagRun(dagRunInfo(previous));
        var dates = transactions.withMapper(dev.taskcert.server.dagrun.DagRunMapper.class,
            mapper -> mapper.find(previous.dagId(), previous.runId()));
        if (dates != null && dates.createdAt() != null) {
          response.setStartDate(Timestamps.of(dates.createdAt()));
        }
        if (dates != null && dates.endDate() != null) {
          response.setEndDate(Timestamps.of(dates.endDate()));
        }
      }
      return response.build();
    });
  }

  /**
   * Moves the caller's try to {@code target} under the row lock; when the try is already in one of
   * the rule's repeat states, the call succeeds without change only if that state is {@code target}.
   */
  private void transition(TaskState target, BiFunction<TaskInstanceMapper, TaskInstanceRow, Integer> write) {
    transition(target, write, session -> { });
  }

  /** {@link #transition}, also running {@code alongside} in the same transaction when the state changes. */
  private void transition(TaskState target, BiFunction<TaskInstanceMapper, TaskInstanceRow, Integer> write,
      Consumer<SqlSession> alongside) {
    transactions.inTransaction(session -> {
      TryGate.LockedTry locked = gate.lock(session);
      if (locked.repeat()) {
        locked.requireSameCall(locked.row().taskState() == target);
      } else {
        write.apply(session.getMapper(TaskInstanceMapper.class), locked.row());
        alongside.accept(session);
      }
      return locked.row();
    });
    cache.invalidate(call.task());
  }

  /** A rendered map index as sent (null when empty), at most {@link #MAX_RENDERED_MAP_INDEX} characters. */
  private static String renderedMapIndex(String text) {
    String value = RequestLimits.optionalText(text, "rendered_map_index", MAX_RENDERED_MAP_INDEX);
    return value.isEmpty() ? null : value;
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

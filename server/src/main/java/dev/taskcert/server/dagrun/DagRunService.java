package dev.taskcert.server.dagrun;

import dev.taskcert.audit.AuditKind;
import dev.taskcert.proto.execution.v1.ClearDagRunRequest;
import dev.taskcert.proto.execution.v1.ClearDagRunResponse;
import dev.taskcert.proto.execution.v1.DagRun;
import dev.taskcert.proto.execution.v1.DagRunsGrpc;
import dev.taskcert.proto.execution.v1.GetDagRunCountRequest;
import dev.taskcert.proto.execution.v1.GetDagRunCountResponse;
import dev.taskcert.proto.execution.v1.GetDagRunRequest;
import dev.taskcert.proto.execution.v1.GetDagRunResponse;
import dev.taskcert.proto.execution.v1.GetDagRunStateRequest;
import dev.taskcert.proto.execution.v1.GetDagRunStateResponse;
import dev.taskcert.proto.execution.v1.GetDagStateRequest;
import dev.taskcert.proto.execution.v1.GetDagStateResponse;
import dev.taskcert.proto.execution.v1.GetPreviousDagRunRequest;
import dev.taskcert.proto.execution.v1.GetPreviousDagRunResponse;
import dev.taskcert.proto.execution.v1.TriggerDagRunRequest;
import dev.taskcert.proto.execution.v1.TriggerDagRunResponse;
import dev.taskcert.server.audit.AuditLog;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.liveness.EndedTry;
import dev.taskcert.server.liveness.EndingTry;
import dev.taskcert.server.liveness.TryEnding;
import dev.taskcert.server.liveness.TryEndingMapper;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.taskinstance.TaskState;
import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.ibatis.session.SqlSession;

/**
 * Dag runs as a task reads, triggers and clears them. Every call asks the {@link ResourceGate}
 * whether the caller may read (or trigger) the target DAG before anything about the DAG's runs is
 * looked up, so another team's DAG that does not declare the caller's team answers exactly as a
 * DAG that is not registered.
 */
public final class DagRunService extends DagRunsGrpc.DagRunsImplBase {
  /** Dag run states. */
  public static final Set<String> RUN_STATES = Set.of("queued", "running", "success", "failed");
  /** Most values one filter may hold. */
  public static final int MAX_FILTER_VALUES = 1000;
  /** Largest configuration of a triggered run. */
  public static final int MAX_CONF_BYTES = 64 * 1024;

  private final Transactions transactions;
  private final ResourceGate gate;
  private final CurrentCall call;
  private final TryEnding ending;
  private final AuditLog audit;

  @Inject
  DagRunService(Transactions transactions, ResourceGate gate, CurrentCall call, TryEnding ending, AuditLog audit) {
    this.transactions = transactions;
    this.gate = gate;
    this.call = call;
    this.ending = ending;
    this.audit = audit;
  }

  @Override
  public void getDagRun(GetDagRunRequest request, StreamObserver<GetDagRunResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      DagRunDetail run = readRun(request.getDagId(), request.getRunId());
      return GetDagRunResponse.newBuilder().setDagRun(toProto(run)).build();
    });
  }

  @Override
  public void getDagRunState(GetDagRunStateRequest request, StreamObserver<GetDagRunStateResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      DagRunDetail run = readRun(request.getDagId(), request.getRunId());
      return GetDagRunStateResponse.newBuilder().setState(run.state()).build();
    });
  }

  @Override
  public void getDagRunCount(GetDagRunCountRequest request, StreamObserver<GetDagRunCountResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      List<Instant> dates = instants(request.getLogicalDatesList(), "logical_dates");
      List<String> runIds = texts(request.getRunIdsList(), "run_ids");
      List<String> states = texts(request.getStatesList(), "states");
      for (String state : states) {
        if (!RUN_STATES.contains(state)) {
          throw RequestLimits.invalid("states must each be one of " + RUN_STATES.stream().sorted().toList());
        }
      }
      gate.readDag(dagId).require();
      long count = transactions.withMapper(DagRunMapper.class, mapper -> mapper.count(dagId, dates, runIds, states));
      return GetDagRunCountResponse.newBuilder().setCount(count).build();
    });
  }

  @Override
  public void getPreviousDagRun(GetPreviousDagRunRequest request, StreamObserver<GetPreviousDagRunResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      if (!request.hasLogicalDate()) {
        throw RequestLimits.invalid("logical_date is required");
      }
      Instant before = Timestamps.toInstant(request.getLogicalDate(), "logical_date");
      String state = request.getState().isEmpty() ? null : request.getState();
      if (state != null && !RUN_STATES.contains(state)) {
        throw RequestLimits.invalid("state must be one of " + RUN_STATES.stream().sorted().toList());
      }
      gate.readDag(dagId).require();
      DagRunDetail previous = transactions.withMapper(DagRunMapper.class, mapper -> mapper.previous(dagId, before, state));
      GetPreviousDagRunResponse.Builder response = GetPreviousDagRunResponse.newBuilder();
      if (previous != null) {
        response.setDagRun(toProto(previous));
      }
      return response.build();
    });
  }

  @Override
  public void getDagState(GetDagStateRequest request, StreamObserver<GetDagStateResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      gate.readDag(dagId).require();
      boolean paused = transactions.withMapper(DagRunMapper.class, mapper -> mapper.isPaused(dagId));
      return GetDagStateResponse.newBuilder().setIsPaused(paused).build();
    });
  }

  @Override
  public void triggerDagRun(TriggerDagRunRequest request, StreamObserver<TriggerDagRunResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      String conf = request.getConfJson().isEmpty() ? "{}"
          : JsonValues.requireJsonObject(request.getConfJson(), "conf_json", MAX_CONF_BYTES);
      Instant logicalDate = request.hasLogicalDate() ? Timestamps.toInstant(request.getLogicalDate(), "logical_date") : null;
      gate.triggerDag(dagId).require();
      List<EndedTry> ended = new ArrayList<>();
      boolean cleared = transactions.inTransaction(session -> {
        DagRunMapper runs = session.getMapper(DagRunMapper.class);
        if (runs.find(dagId, runId) != null) {
          if (!request.getResetDagRun()) {
            throw Refusal.exists("dag run '" + runId + "' of DAG '" + dagId + "' already exists");
          }
          ended.addAll(clear(session, dagId, runId));
          return true;
        }
        if (logicalDate != null && runs.logicalDateTaken(dagId, logicalDate)) {
          throw Refusal.exists("DAG '" + dagId + "' already has a run with logical date " + logicalDate);
        }
        if (runs.insertQueued(dagId, runId, logicalDate, conf) == null) {
          throw Refusal.exists("dag run '" + runId + "' of DAG '" + dagId + "' already exists");
        }
        return false;
      });
      announce(ended);
      audit.record(AuditKind.TRIGGER, call.callerId(), call.method(), "dag_run:" + dagId + "/" + runId,
          cleared ? "cleared by trigger with reset_dag_run; " + ended.size() + " unfinished tries ended" : "triggered");
      return TriggerDagRunResponse.newBuilder().setCleared(cleared).build();
    });
  }

  @Override
  public void clearDagRun(ClearDagRunRequest request, StreamObserver<ClearDagRunResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      gate.triggerDag(dagId).require();
      List<EndedTry> ended = transactions.inTransaction(session -> clear(session, dagId, runId));
      announce(ended);
      audit.record(AuditKind.TRIGGER, call.callerId(), call.method(), "dag_run:" + dagId + "/" + runId,
          "cleared; " + ended.size() + " unfinished tries ended");
      return ClearDagRunResponse.newBuilder().setEndedTries(ended.size()).build();
    });
  }

  /** Moves the run back to QUEUED and ends its unfinished tries as UP_FOR_RETRY, revoking their certificates. */
  private List<EndedTry> clear(SqlSession session, String dagId, String runId) {
    if (session.getMapper(DagRunMapper.class).requeue(dagId, runId) == 0) {
      throw Refusal.notFound("dag run '" + runId + "' of DAG '" + dagId + "' not found");
    }
    List<EndingTry> unfinished = session.getMapper(TryEndingMapper.class).lockUnfinishedTriesOfRun(dagId, runId);
    return ending.endAll(session, unfinished, one -> TaskState.UP_FOR_RETRY,
        one -> "dag run " + dagId + "/" + runId + " cleared by " + call.callerId());
  }

  private void announce(List<EndedTry> ended) {
    if (!ended.isEmpty()) {
      ending.announce(ended, call.callerId(), call.method());
    }
  }

  /** The run, after the gate allowed reading its DAG. */
  private DagRunDetail readRun(String dagIdText, String runIdText) {
    String dagId = RequestLimits.requireText(dagIdText, "dag_id", 250);
    String runId = RequestLimits.requireText(runIdText, "run_id", 250);
    gate.readDag(dagId).require();
    DagRunDetail run = transactions.withMapper(DagRunMapper.class, mapper -> mapper.find(dagId, runId));
    if (run == null) {
      throw Refusal.notFound("dag run '" + runId + "' of DAG '" + dagId + "' not found");
    }
    return run;
  }

  static DagRun toProto(DagRunDetail run) {
    DagRun.Builder proto = DagRun.newBuilder()
        .setDagId(run.dagId())
        .setRunId(run.runId())
        .setRunType(run.runType())
        .setState(run.state())
        .setConfJson(run.confJson());
    if (run.logicalDate() != null) {
      proto.setLogicalDate(Timestamps.of(run.logicalDate()));
    }
    if (run.dataIntervalStart() != null) {
      proto.setDataIntervalStart(Timestamps.of(run.dataIntervalStart()));
    }
    if (run.dataIntervalEnd() != null) {
      proto.setDataIntervalEnd(Timestamps.of(run.dataIntervalEnd()));
    }
    if (run.createdAt() != null) {
      proto.setStartDate(Timestamps.of(run.createdAt()));
    }
    if (run.endDate() != null) {
      proto.setEndDate(Timestamps.of(run.endDate()));
    }
    return proto.build();
  }

  /** Bounded, non-empty ids of a filter. */
  public static List<String> texts(List<String> values, String field) {
    if (values.size() > MAX_FILTER_VALUES) {
      throw RequestLimits.invalid(field + " may hold at most " + MAX_FILTER_VALUES + " values");
    }
    values.forEach(value -> RequestLimits.requireText(value, field, 250));
    return List.copyOf(values);
  }

  /** Bounded timestamps of a filter. */
  public static List<Instant> instants(List<Timestamp> values, String field) {
    if (values.size() > MAX_FILTER_VALUES) {
      throw RequestLimits.invalid(field + " may hold at most " + MAX_FILTER_VALUES + " values");
    }
    return values.stream().map(value -> Timestamps.toInstant(value, field)).toList();
  }
}

package dev.taskcert.server.taskquery;

import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceRequest;
import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceResponse;
import dev.taskcert.proto.execution.v1.GetTaskBreadcrumbsRequest;
import dev.taskcert.proto.execution.v1.GetTaskBreadcrumbsResponse;
import dev.taskcert.proto.execution.v1.GetTaskInstanceCountRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceCountResponse;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesResponse;
import dev.taskcert.proto.execution.v1.RunTaskStates;
import dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc;
import dev.taskcert.proto.execution.v1.TaskInstanceSummary;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.dagrun.DagRunService;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.Timestamps;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import dev.taskcert.server.taskinstance.TaskState;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task instances of a DAG as another task reads them (ExternalTaskSensor and friends). Every call
 * asks the {@link ResourceGate} whether the caller may read the DAG before anything is looked up.
 */
public final class TaskInstanceQueryService extends TaskInstanceQueriesGrpc.TaskInstanceQueriesImplBase {
  /** Most task instances one answer lists. */
  public static final int MAX_RESULTS = 10_000;

  private final Transactions transactions;
  private final ResourceGate gate;

  @Inject
  TaskInstanceQueryService(Transactions transactions, ResourceGate gate) {
    this.transactions = transactions;
    this.gate = gate;
  }

  @Override
  public void getTaskInstanceCount(GetTaskInstanceCountRequest request,
      StreamObserver<GetTaskInstanceCountResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Filter f = Filter.of(request.getDagId(), request.getTaskIdsList(), request.getTaskGroupId(),
          request.getLogicalDatesList(), request.getRunIdsList(), request.getHasMapIndex(), request.getMapIndex());
      if (request.getStatesCount() > DagRunService.MAX_FILTER_VALUES) {
        throw RequestLimits.invalid("states may hold at most " + DagRunService.MAX_FILTER_VALUES + " values");
      }
      List<String> states = new ArrayList<>();
      for (var state : request.getStatesList()) {
        states.add(state(state, "states").name());
      }
      gate.readDag(f.dagId()).require();
      long count = transactions.withMapper(TaskQueryMapper.class,
          mapper -> mapper.count(f.dagId(), f.taskIds(), f.group(), f.dates(), f.runIds(), f.mapIndex(), states));
      return GetTaskInstanceCountResponse.newBuilder().setCount(count).build();
    });
  }

  @Override
  public void getTaskInstanceStates(GetTaskInstanceStatesRequest request,
      StreamObserver<GetTaskInstanceStatesResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Filter f = Filter.of(request.getDagId(), request.getTaskIdsList(), request.getTaskGroupId(),
          request.getLogicalDatesList(), request.getRunIdsList(), request.getHasMapIndex(), request.getMapIndex());
      gate.readDag(f.dagId()).require();
      List<TaskInstanceBrief> found = transactions.withMapper(TaskQueryMapper.class,
          mapper -> mapper.list(f.dagId(), f.taskIds(), f.group(), f.dates(), f.runIds(), f.mapIndex(),
              MAX_RESULTS + 1));
      if (found.size() > MAX_RESULTS) {
        throw Refusal.outOfRange("more than " + MAX_RESULTS + " task instances match; narrow the filters");
      }
      Map<String, RunTaskStates.Builder> byRun = new LinkedHashMap<>();
      for (TaskInstanceBrief ti : found) {
        String key = ti.mapIndex() < 0 ? ti.taskId() : ti.taskId() + "_" + ti.mapIndex();
        byRun.computeIfAbsent(ti.runId(), run -> RunTaskStates.newBuilder())
            .putTaskStates(key, TaskState.valueOf(ti.state()).toProto());
      }
      GetTaskInstanceStatesResponse.Builder response = GetTaskInstanceStatesResponse.newBuilder();
      byRun.forEach((run, states) -> response.putTaskStates(run, states.build()));
      return response.build();
    });
  }

  @Override
  public void getPreviousTaskInstance(GetPreviousTaskInstanceRequest request,
      StreamObserver<GetPreviousTaskInstanceResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String taskId = RequestLimits.requireText(request.getTaskId(), "task_id", 250);
      Instant before = request.hasLogicalDate() ? Timestamps.toInstant(request.getLogicalDate(), "logical_date") : null;
      int mapIndex = request.getHasMapIndex() ? mapIndex(request.getMapIndex()) : -1;
      String state = request.getStateValue() == 0 ? null : state(request.getState(), "state").name();
      gate.readDag(dagId).require();
      TaskInstanceBrief previous = transactions.withMapper(TaskQueryMapper.class,
          mapper -> mapper.previous(dagId, taskId, mapIndex, before, state));
      GetPreviousTaskInstanceResponse.Builder response = GetPreviousTaskInstanceResponse.newBuilder();
      if (previous != null) {
        response.setTaskInstance(summary(previous));
      }
      return response.build();
    });
  }

  @Override
  public void getTaskBreadcrumbs(GetTaskBreadcrumbsRequest request, StreamObserver<GetTaskBreadcrumbsResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      String dagId = RequestLimits.requireText(request.getDagId(), "dag_id", 250);
      String runId = RequestLimits.requireText(request.getRunId(), "run_id", 250);
      gate.readDag(dagId).require();
      List<TaskInstanceBrief> finished = transactions.withMapper(TaskQueryMapper.class,
          mapper -> mapper.finished(dagId, runId, MAX_RESULTS + 1));
      if (finished.size() > MAX_RESULTS) {
        throw Refusal.outOfRange("more than " + MAX_RESULTS + " finished task instances in the run");
      }
      return GetTaskBreadcrumbsResponse.newBuilder()
          .addAllBreadcrumbs(finished.stream().map(TaskInstanceQueryService::summary).toList())
          .build();
    });
  }

  private static TaskInstanceSummary summary(TaskInstanceBrief ti) {
    TaskInstanceSummary.Builder summary = TaskInstanceSummary.newBuilder()
        .setDagId(ti.dagId())
        .setRunId(ti.runId())
        .setTaskId(ti.taskId())
        .setMapIndex(ti.mapIndex())
        .setState(TaskState.valueOf(ti.state()).toProto())
        .setTryNumber(ti.tryNumber());
    if (ti.logicalDate() != null) {
      summary.setLogicalDate(Timestamps.of(ti.logicalDate()));
    }
    if (ti.startDate() != null) {
      summary.setStartDate(Timestamps.of(ti.startDate()));
    }
    if (ti.endDate() != null) {
      summary.setEndDate(Timestamps.of(ti.endDate()));
    }
    if (ti.startDate() != null && ti.endDate() != null) {
      summary.setDurationSeconds(Duration.between(ti.startDate(), ti.endDate()).toNanos() / 1e9).setHasDuration(true);
    }
    return summary.build();
  }

  /** The LIKE pattern of a task group's tasks ("group.%"), or {@code null} when none is named. */
  private static String groupPrefix(String groupId) {
    if (groupId.isEmpty()) {
      return null;
    }
    RequestLimits.requireText(groupId, "task_group_id", 250);
    return groupId.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%";
  }

  private static int mapIndex(int mapIndex) {
    if (mapIndex < -1) {
      throw RequestLimits.invalid("map_index must be -1 or more");
    }
    return mapIndex;
  }

  private static TaskState state(dev.taskcert.proto.execution.v1.TaskState proto, String field) {
    TaskState state = TaskState.fromProto(proto);
    if (state == null) {
      throw RequestLimits.invalid(field + " must name task states, got " + proto);
    }
    return state;
  }

  /** The task-instance filters a count and a states read share, each checked. */
  private record Filter(String dagId, List<String> taskIds, String group, List<Instant> dates, List<String> runIds,
      Integer mapIndex) {
    static Filter of(String dagId, List<String> taskIds, String taskGroupId,
        List<com.google.protobuf.Timestamp> logicalDates, List<String> runIds, boolean hasMapIndex, int mapIndex) {
      return new Filter(RequestLimits.requireText(dagId, "dag_id", 250),
          DagRunService.texts(taskIds, "task_ids"), groupPrefix(taskGroupId),
          DagRunService.instants(logicalDates, "logical_dates"), DagRunService.texts(runIds, "run_ids"),
          hasMapIndex ? TaskInstanceQueryService.mapIndex(mapIndex) : null);
    }
  }
}

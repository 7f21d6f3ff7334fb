package dev.taskcert.server.xcom;

import dev.taskcert.pki.identity.TaskIdentity;
import dev.taskcert.proto.execution.v1.DeleteXComRequest;
import dev.taskcert.proto.execution.v1.DeleteXComResponse;
import dev.taskcert.proto.execution.v1.GetXComCountRequest;
import dev.taskcert.proto.execution.v1.GetXComCountResponse;
import dev.taskcert.proto.execution.v1.GetXComItemRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.GetXComResponse;
import dev.taskcert.proto.execution.v1.GetXComSliceRequest;
import dev.taskcert.proto.execution.v1.GetXComSliceResponse;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.SetXComResponse;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import dev.taskcert.server.authz.CurrentCall;
import dev.taskcert.server.authz.ResourceGate;
import dev.taskcert.server.config.ServerConfig;
import dev.taskcert.server.db.Transactions;
import dev.taskcert.server.grpc.JsonValues;
import dev.taskcert.server.grpc.RequestLimits;
import dev.taskcert.server.grpc.UnaryCalls;
import dev.taskcert.server.refusal.Refusal;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import java.util.List;

/**
 * XCom RPCs for a running task. Writes and deletes always target the caller's own (dag, run, task,
 * map index) taken from its certificate: the request has no field that could name another task.
 * Reads are allowed within the caller's team (or global DAGs), narrowed by its DAG's declared XCom
 * read scope.
 */
public final class XComService extends XComsGrpc.XComsImplBase {
  /** Longest XCom key, in bytes. */
  public static final int MAX_KEY_BYTES = 512;
  /** Most values one slice may return. */
  public static final int MAX_SLICE_VALUES = 1000;

  private final Transactions transactions;
  private final XComWriter writer;
  private final ResourceGate gate;
  private final CurrentCall call;
  private final int maxValueBytes;

  @Inject
  XComService(Transactions transactions, XComWriter writer, ResourceGate gate, CurrentCall call, ServerConfig config) {
    this.transactions = transactions;
    this.writer = writer;
    this.gate = gate;
    this.call = call;
    this.maxValueBytes = config.maxXComValueBytes();
  }

  /** A validated, authorized read target. */
  private record Target(String dagId, String runId, String taskId, String key) {}

  @Override
  public void getXCom(GetXComRequest request, StreamObserver<GetXComResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      int mapIndex = request.hasMapIndex() ? request.getMapIndex() : -1;
      if (mapIndex < -1) {
        throw RequestLimits.invalid("map_index must be -1 or more");
      }
      Target target = authorizeRead(request.getRef());
      // Earlier runs are searched only when the caller's read scope reaches beyond its own run.
      boolean priorRuns = request.getIncludePriorDates() && gate.xcomOtherRunsInScope();
      XComRow row = transactions.withMapper(XComMapper.class, mapper -> priorRuns
          ? mapper.findLatestUpTo(target.dagId(), target.runId(), target.taskId(), mapIndex, target.key())
          : mapper.find(target.dagId(), target.runId(), target.taskId(), mapIndex, target.key()));
      if (row == null) {
        throw notFound(target, "map index " + mapIndex);
      }
      // The scope applies to the run the value came from, not only to the run the request named.
      gate.readXCom(row.dagId(), row.runId(), resource(row.dagId(), row.runId(), row.taskId(), row.key())).require();
      return response(row);
    });
  }

  @Override
  public void setXCom(SetXComRequest request, StreamObserver<SetXComResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = call.task();
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      String value = JsonValues.requireJson(request.getValueJson(), "value_json", maxValueBytes);
      Integer mappedLength = request.hasMappedLength() ? request.getMappedLength() : null;
      if (mappedLength != null && mappedLength < 0) {
        throw RequestLimits.invalid("mapped_length must not be negative");
      }
      writer.write(new XComWrite(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex(), key, value,
          mappedLength, request.getDagResult()));
      return SetXComResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteXCom(DeleteXComRequest request, StreamObserver<DeleteXComResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      TaskIdentity caller = call.task();
      String key = RequestLimits.requireText(request.getKey(), "key", MAX_KEY_BYTES);
      int deleted = transactions.withMapper(XComMapper.class, mapper ->
          mapper.delete(caller.dagId(), caller.runId(), caller.taskId(), caller.mapIndex(), key));
      return DeleteXComResponse.newBuilder().setDeleted(deleted > 0).build();
    });
  }

  @Override
  public void getXComItem(GetXComItemRequest request, StreamObserver<GetXComResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Target target = authorizeRead(request.getRef());
      // Earlier runs are searched only when the caller's read scope reaches beyond its own run.
      boolean priorRuns = request.getIncludePriorDates() && gate.xcomOtherRunsInScope();
      XComRow row = transactions.withMapper(XComMapper.class, mapper -> {
        long count = mapper.sequenceCount(target.dagId(), target.runId(), target.taskId(), target.key(), priorRuns);
        // Python's values[offset]: a negative offset counts from the end.
        long position = request.getOffset() < 0 ? count + request.getOffset() : request.getOffset();
        if (position < 0 || position >= count) {
          return null;
        }
        List<XComRow> rows = mapper.sequenceEvery(target.dagId(), target.runId(), target.taskId(), target.key(),
            priorRuns, position, position, position, 1, 1, 1);
        return rows.isEmpty() ? null : rows.get(0);
      });
      if (row == null) {
        throw notFound(target, "offset " + request.getOffset());
      }
      // The scope applies to the run the value came from, not only to the run the request named.
      gate.readXCom(row.dagId(), row.runId(), resource(row.dagId(), row.runId(), row.taskId(), row.key())).require();
      return response(row);
    });
  }

  @Override
  @SuppressWarnings("deprecation") // has_stop: still honoured for clients that predate stop's presence
  public void getXComSlice(GetXComSliceRequest request, StreamObserver<GetXComSliceResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      int step = request.getStep() == 0 ? 1 : request.getStep();
      Integer start = request.hasStart() ? Integer.valueOf(request.getStart()) : null;
      Integer stop = request.hasStop() ? Integer.valueOf(request.getStop()) : request.getHasStop() ? Integer.valueOf(0) : null;
      Target target = authorizeRead(request.getRef());
      // Earlier runs are searched only when the caller's read scope reaches beyond its own run.
      boolean priorRuns = request.getIncludePriorDates() && gate.xcomOtherRunsInScope();
      List<XComRow> values = transactions.withMapper(XComMapper.class, mapper -> {
        long count = mapper.sequenceCount(target.dagId(), target.runId(), target.taskId(), target.key(), priorRuns);
        SliceWindow window = SliceWindow.of(start, stop, step, count);
        long selected = window.selected();
        if (selected > MAX_SLICE_VALUES) {
          throw Refusal.outOfRange(
              "slice selects " + selected + " values; at most " + MAX_SLICE_VALUES + " per call");
        }
        if (selected == 0) {
          return List.<XComRow>of();
        }
        return mapper.sequenceEvery(target.dagId(), target.runId(), target.taskId(), target.key(), priorRuns,
            window.lowest(), window.highest(), window.start(), window.step(), step > 0 ? 1 : -1, (int) selected);
      });
      // The scope applies to the run each value came from, not only to the run the request named.
      values.stream().map(row -> List.of(row.dagId(), row.runId())).distinct().forEach(run ->
          gate.readXCom(run.get(0), run.get(1), resource(run.get(0), run.get(1), target.taskId(), target.key())).require());
      GetXComSliceResponse.Builder response = GetXComSliceResponse.newBuilder();
      values.forEach(row -> response.addValuesJson(row.value()));
      return response.build();
    });
  }

  @Override
  public void getXComCount(GetXComCountRequest request, StreamObserver<GetXComCountResponse> observer) {
    UnaryCalls.respond(observer, () -> {
      Target target = authorizeRead(request.getRef());
      List<Integer> indexes = transactions.withMapper(XComMapper.class,
          mapper -> mapper.mapIndexes(target.dagId(), target.runId(), target.taskId(), target.key()));
      return GetXComCountResponse.newBuilder().setCount(indexes.size()).addAllMapIndexes(indexes).build();
    });
  }

  /** Validates a read reference, resolves defaults, and passes it through the gate. */
  private Target authorizeRead(XComRef ref) {
    TaskIdentity caller = call.task();
    String dagId = ref.getDagId().isEmpty() ? caller.dagId() : RequestLimits.requireText(ref.getDagId(), "ref.dag_id", 250);
    String runId = ref.getRunId().isEmpty() ? caller.runId() : RequestLimits.requireText(ref.getRunId(), "ref.run_id", 250);
    String taskId = RequestLimits.requireText(ref.getTaskId(), "ref.task_id", 250);
    String key = RequestLimits.requireText(ref.getKey(), "ref.key", MAX_KEY_BYTES);
    gate.readXCom(dagId, runId, resource(dagId, runId, taskId, key)).require();
    return new Target(dagId, runId, taskId, key);
  }

  private static String resource(String dagId, String runId, String taskId, String key) {
    return "xcom:" + dagId + "/" + runId + "/" + taskId + "/" + key;
  }

  private static Refusal notFound(Target target, String where) {
    return Refusal.notFound("no XCom '" + target.key() + "' of task '" + target.taskId() + "' in run '"
        + target.runId() + "' at " + where);
  }

  private static GetXComResponse response(XComRow row) {
    return GetXComResponse.newBuilder()
        .setRef(XComRef.newBuilder().setDagId(row.dagId()).setRunId(row.runId()).setTaskId(row.taskId()).setKey(row.key()))
        .setMapIndex(row.mapIndex())
        .setValueJson(row.value())
        .build();
  }
}

package dev.taskcert.supervisor.client;

import com.google.protobuf.Timestamp;
import dev.taskcert.proto.execution.v1.ConnectionsGrpc;
import dev.taskcert.proto.execution.v1.ClearDagRunRequest;
import dev.taskcert.proto.execution.v1.DagRunsGrpc;
import dev.taskcert.proto.execution.v1.GetDagRunCountRequest;
import dev.taskcert.proto.execution.v1.GetDagRunRequest;
import dev.taskcert.proto.execution.v1.GetDagRunStateRequest;
import dev.taskcert.proto.execution.v1.GetDagStateRequest;
import dev.taskcert.proto.execution.v1.GetPreviousDagRunRequest;
import dev.taskcert.proto.execution.v1.GetPreviousDagRunResponse;
import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceRequest;
import dev.taskcert.proto.execution.v1.GetPreviousTaskInstanceResponse;
import dev.taskcert.proto.execution.v1.GetRescheduleStartDateRequest;
import dev.taskcert.proto.execution.v1.GetRescheduleStartDateResponse;
import dev.taskcert.proto.execution.v1.GetTaskBreadcrumbsRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceCountRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesRequest;
import dev.taskcert.proto.execution.v1.GetTaskInstanceStatesResponse;
import dev.taskcert.proto.execution.v1.SetRenderedMapIndexRequest;
import dev.taskcert.proto.execution.v1.SkippedTask;
import dev.taskcert.proto.execution.v1.TaskInstanceDetailsGrpc;
import dev.taskcert.proto.execution.v1.TaskInstanceQueriesGrpc;
import dev.taskcert.proto.execution.v1.TaskInstanceSummary;
import dev.taskcert.proto.execution.v1.TriggerDagRunRequest;
import dev.taskcert.proto.execution.v1.DagRunInfo;
import dev.taskcert.proto.execution.v1.DeferTaskRequest;
import dev.taskcert.proto.execution.v1.DeleteVariableRequest;
import dev.taskcert.proto.execution.v1.DeleteXComRequest;
import dev.taskcert.proto.execution.v1.FinishTaskRequest;
import dev.taskcert.proto.execution.v1.GetConnectionRequest;
import dev.taskcert.proto.execution.v1.GetConnectionResponse;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunRequest;
import dev.taskcert.proto.execution.v1.GetPreviousSuccessfulDagRunResponse;
import dev.taskcert.proto.execution.v1.GetVariableRequest;
import dev.taskcert.proto.execution.v1.GetVariableResponse;
import dev.taskcert.proto.execution.v1.GetXComCountRequest;
import dev.taskcert.proto.execution.v1.GetXComCountResponse;
import dev.taskcert.proto.execution.v1.GetXComItemRequest;
import dev.taskcert.proto.execution.v1.GetXComRequest;
import dev.taskcert.proto.execution.v1.GetXComResponse;
import dev.taskcert.proto.execution.v1.GetXComSliceRequest;
import dev.taskcert.proto.execution.v1.HeartbeatRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysRequest;
import dev.taskcert.proto.execution.v1.ListVariableKeysResponse;
import dev.taskcert.proto.execution.v1.RescheduleTaskRequest;
import dev.taskcert.proto.execution.v1.SetRenderedFieldsRequest;
import dev.taskcert.proto.execution.v1.SetVariableRequest;
import dev.taskcert.proto.execution.v1.SetXComRequest;
import dev.taskcert.proto.execution.v1.SkipDownstreamRequest;
import dev.taskcert.proto.execution.v1.StartTaskRequest;
import dev.taskcert.proto.execution.v1.StartTaskResponse;
import dev.taskcert.proto.execution.v1.TaskInstancesGrpc;
import dev.taskcert.proto.execution.v1.VariablesGrpc;
import dev.taskcert.proto.execution.v1.XComRef;
import dev.taskcert.proto.execution.v1.XComsGrpc;
import io.grpc.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Typed calls to every RPC of the v1 Execution API, for one task try. The server knows which try
 * is calling from the channel's certificate, so no method takes the caller's dag, run or task id.
 * Every call carries a deadline; calls the server treats idempotently are retried when it is
 * briefly unreachable; failures are thrown as {@link dev.taskcert.supervisor.TaskcertException}s
 * that say why (denied, task no longer live, bad input, not found, unavailable).
 */
public final class ExecutionClient {
  private final Channel channel;
  private final Duration timeout;

  public ExecutionClient(Channel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
  }

  private TaskInstancesGrpc.TaskInstancesBlockingStub tasks() {
    return TaskInstancesGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private VariablesGrpc.VariablesBlockingStub variables() {
    return VariablesGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private XComsGrpc.XComsBlockingStub xcoms() {
    return XComsGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  // --- task-instance lifecycle -------------------------------------------------------------

  /** Moves the try from QUEUED to RUNNING, recording where it runs; repeating it is harmless. */
  public StartedTask startTask(String hostname, int pid, String unixUser) {
    StartTaskResponse response = Retries.call(true, () -> tasks().startTask(StartTaskRequest.newBuilder()
        .setHostname(hostname).setPid(pid).setUnixUser(unixUser).setStartDate(timestamp(Instant.now())).build()));
    return new StartedTask(dagRun(response.getDagRun()), response.getTryNumber(), response.getMaxTries(),
        response.getXcomKeysToClearList());
  }

  /** Reports the try alive from the host and pid it started on. */
  public void heartbeat(String hostname, int pid) {
    Retries.call(true, () -> tasks().heartbeat(HeartbeatRequest.newBuilder().setHostname(hostname).setPid(pid).build()));
  }

  /** Ends the try in a terminal state; repeating the same state is harmless. */
  public void finishTask(TerminalState state) {
    Retries.call(true, () -> tasks().finishTask(FinishTaskRequest.newBuilder()
        .setState(state.wire()).setEndDate(timestamp(Instant.now())).build()));
  }

  /** Defers the try to a trigger. */
  public void deferTask(Trigger trigger) {
    DeferTaskRequest.Builder request = DeferTaskRequest.newBuilder()
        .setClasspath(trigger.classpath())
        .setTriggerKwargsJson(trigger.kwargsJson())
        .setNextMethod(trigger.nextMethod())
        .setNextKwargsJson(trigger.nextKwargsJson());
    trigger.timeout().ifPresent(timeout -> request.setTriggerTimeout(timestamp(timeout)));
    Retries.call(true, () -> tasks().deferTask(request.build()));
  }

  /** Asks to run again at {@code when}. */
  public void rescheduleTask(Instant when) {
    Retries.call(true, () -> tasks().rescheduleTask(RescheduleTaskRequest.newBuilder()
        .setRescheduleDate(timestamp(when)).setEndDate(timestamp(Instant.now())).build()));
  }

  /** Stores the rendered template fields (a JSON object). */
  public void setRenderedFields(String fieldsJson) {
    Retries.call(true, () -> tasks().setRenderedFields(SetRenderedFieldsRequest.newBuilder()
        .setFieldsJson(fieldsJson).build()));
  }

  /** Marks the named tasks of the caller's own dag run SKIPPED; returns how many changed. */
  public int skipDownstream(List<String> taskIds) {
    return Retries.call(true, () -> tasks().skipDownstream(SkipDownstreamRequest.newBuilder()
        .addAllTaskIds(taskIds).build())).getSkippedCount();
  }

  /** The newest successful earlier run of the caller's DAG, if any. */
  public Optional<DagRun> previousSuccessfulDagRun() {
    GetPreviousSuccessfulDagRunResponse response = Retries.call(true,
        () -> tasks().getPreviousSuccessfulDagRun(GetPreviousSuccessfulDagRunRequest.getDefaultInstance()));
    return response.hasDagRun() ? Optional.of(dagRun(response.getDagRun())) : Optional.empty();
  }

  /**
   * Marks task instances of the caller's own dag run SKIPPED by task id (every map index) and by
   * (task id, map index); ones RUNNING, SUCCESS or FAILED keep their state. Returns how many changed.
   */
  public int skipDownstream(List<String> taskIds, List<SkippedTask> tasks) {
    return Retries.call(true, () -> tasks().skipDownstream(SkipDownstreamRequest.newBuilder()
        .addAllTaskIds(taskIds).addAllTasks(tasks).build())).getSkippedCount();
  }

  /** The previous successful run of the caller's DAG with its start and end dates, as the server answers. */
  public GetPreviousSuccessfulDagRunResponse previousSuccessfulDagRunWithDates() {
    return Retries.call(true,
        () -> tasks().getPreviousSuccessfulDagRun(GetPreviousSuccessfulDagRunRequest.getDefaultInstance()));
  }

  // --- the caller's own try's details -------------------------------------------------------

  private TaskInstanceDetailsGrpc.TaskInstanceDetailsBlockingStub details() {
    return TaskInstanceDetailsGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Records the try's rendered map index (1 to 250 bytes). */
  public void setRenderedMapIndex(String renderedMapIndex) {
    Retries.call(true, () -> details().setRenderedMapIndex(SetRenderedMapIndexRequest.newBuilder()
        .setRenderedMapIndex(renderedMapIndex).build()));
  }

  /** When the first reschedule of this try started, if it was rescheduled. */
  public Optional<Instant> rescheduleStartDate() {
    GetRescheduleStartDateResponse response = Retries.call(true,
        () -> details().getRescheduleStartDate(GetRescheduleStartDateRequest.getDefaultInstance()));
    return response.hasStartDate() ? Optional.of(instant(response.getStartDate())) : Optional.empty();
  }

  // --- dag runs of readable (or triggerable) DAGs -------------------------------------------

  private DagRunsGrpc.DagRunsBlockingStub dagRuns() {
    return DagRunsGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One dag run of a DAG the caller may read. */
  public dev.taskcert.proto.execution.v1.DagRun getDagRun(String dagId, String runId) {
    return Retries.call(true, () -> dagRuns().getDagRun(GetDagRunRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).build())).getDagRun();
  }

  /** The state of one dag run ("queued", "running", "success", "failed"). */
  public String getDagRunState(String dagId, String runId) {
    return Retries.call(true, () -> dagRuns().getDagRunState(GetDagRunStateRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).build())).getState();
  }

  /** How many runs of a DAG match every non-empty filter. */
  public long getDagRunCount(String dagId, List<Instant> logicalDates, List<String> runIds, List<String> states) {
    return Retries.call(true, () -> dagRuns().getDagRunCount(GetDagRunCountRequest.newBuilder()
        .setDagId(dagId).addAllLogicalDates(logicalDates.stream().map(ExecutionClient::timestamp).toList())
        .addAllRunIds(runIds).addAllStates(states).build())).getCount();
  }

  /** The run with the latest logical date before {@code before}, in {@code state} if not empty. */
  public Optional<dev.taskcert.proto.execution.v1.DagRun> getPreviousDagRun(String dagId, Instant before, String state) {
    GetPreviousDagRunResponse response = Retries.call(true, () -> dagRuns().getPreviousDagRun(
        GetPreviousDagRunRequest.newBuilder().setDagId(dagId).setLogicalDate(timestamp(before)).setState(state).build()));
    return response.hasDagRun() ? Optional.of(response.getDagRun()) : Optional.empty();
  }

  /** Whether a DAG is paused. */
  public boolean isDagPaused(String dagId) {
    return Retries.call(true, () -> dagRuns().getDagState(GetDagStateRequest.newBuilder().setDagId(dagId).build()))
        .getIsPaused();
  }

  /**
   * Triggers a QUEUED manual run; when it exists, clears it if {@code resetDagRun}, else throws
   * ALREADY_EXISTS. Returns whether an existing run was cleared. Not retried: a repeat would find the run.
   */
  public boolean triggerDagRun(String dagId, String runId, Optional<Instant> logicalDate, String confJson,
      boolean resetDagRun) {
    TriggerDagRunRequest.Builder request = TriggerDagRunRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).setConfJson(confJson).setResetDagRun(resetDagRun);
    logicalDate.ifPresent(date -> request.setLogicalDate(timestamp(date)));
    return Retries.call(false, () -> dagRuns().triggerDagRun(request.build())).getCleared();
  }

  /** Clears a dag run: back to QUEUED, its unfinished tries ended. Returns how many tries ended. */
  public int clearDagRun(String dagId, String runId) {
    return Retries.call(true, () -> dagRuns().clearDagRun(ClearDagRunRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).build())).getEndedTries();
  }

  // --- task instances of readable DAGs ------------------------------------------------------

  private TaskInstanceQueriesGrpc.TaskInstanceQueriesBlockingStub taskQueries() {
    return TaskInstanceQueriesGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How many task instances of a DAG match the request's filters ({@code dag_id} and any others). */
  public long getTaskInstanceCount(GetTaskInstanceCountRequest request) {
    return Retries.call(true, () -> taskQueries().getTaskInstanceCount(request)).getCount();
  }

  /** Task states by run id, then by task key ({@code task_id}, or {@code task_id_mapIndex} when mapped). */
  public java.util.Map<String, java.util.Map<String, dev.taskcert.proto.execution.v1.TaskState>> getTaskInstanceStates(
      GetTaskInstanceStatesRequest request) {
    GetTaskInstanceStatesResponse response = Retries.call(true, () -> taskQueries().getTaskInstanceStates(request));
    java.util.Map<String, java.util.Map<String, dev.taskcert.proto.execution.v1.TaskState>> states =
        new java.util.TreeMap<>();
    response.getTaskStatesMap().forEach((run, tasks) -> states.put(run, new java.util.TreeMap<>(tasks.getTaskStatesMap())));
    return states;
  }

  /** The task instance of the task with the latest run logical date matching the request, if any. */
  public Optional<TaskInstanceSummary> getPreviousTaskInstance(GetPreviousTaskInstanceRequest request) {
    GetPreviousTaskInstanceResponse response = Retries.call(true, () -> taskQueries().getPreviousTaskInstance(request));
    return response.hasTaskInstance() ? Optional.of(response.getTaskInstance()) : Optional.empty();
  }

  /** The finished task instances of a dag run, by task id and map index. */
  public List<TaskInstanceSummary> getTaskBreadcrumbs(String dagId, String runId) {
    return Retries.call(true, () -> taskQueries().getTaskBreadcrumbs(GetTaskBreadcrumbsRequest.newBuilder()
        .setDagId(dagId).setRunId(runId).build())).getBreadcrumbsList();
  }

  // --- variables ----------------------------------------------------------------------------

  /** Reads a variable visible to this task. */
  public Variable getVariable(String key) {
    GetVariableResponse response = Retries.call(true,
        () -> variables().getVariable(GetVariableRequest.newBuilder().setKey(key).build()));
    return new Variable(response.getKey(), response.getValue(),
        response.getTeam().isEmpty() ? Optional.empty() : Optional.of(response.getTeam()));
  }

  /** Creates or replaces a variable of this task's team. */
  public void setVariable(String key, String value, String description) {
    Retries.call(true, () -> variables().setVariable(SetVariableRequest.newBuilder()
        .setKey(key).setValue(value).setDescription(description).build()));
  }

  /** Deletes a variable of this task's team; returns whether it existed. */
  public boolean deleteVariable(String key) {
    return Retries.call(true, () -> variables().deleteVariable(DeleteVariableRequest.newBuilder().setKey(key).build()))
        .getDeleted();
  }

  /** Every visible variable key starting with {@code prefix}, in key order (fetched a page at a time). */
  public List<String> listVariableKeys(String prefix) {
    List<String> keys = new ArrayList<>();
    String token = "";
    do {
      String pageToken = token;
      ListVariableKeysResponse page = Retries.call(true, () -> variables().listVariableKeys(
          ListVariableKeysRequest.newBuilder().setPrefix(prefix).setPageSize(1000).setPageToken(pageToken).build()));
      keys.addAll(page.getKeysList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return keys;
  }

  // --- connections --------------------------------------------------------------------------

  /** Reads a connection visible to this task, password included. */
  public Connection getConnection(String connId) {
    GetConnectionResponse response = Retries.call(true, () -> ConnectionsGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .getConnection(GetConnectionRequest.newBuilder().setConnId(connId).build()));
    return new Connection(response.getConnId(), response.getConnType(), response.getHost(), response.getSchema(),
        response.getLogin(), response.getPassword(), response.getPort(), response.getExtraJson());
  }

  // --- XComs --------------------------------------------------------------------------------

  /** Stores an XCom of this task (JSON text). */
  public void setXCom(String key, String valueJson) {
    setXCom(key, valueJson, 0);
  }

  /** Stores an XCom of this task, recording the mapped length for downstream expansion. */
  public void setXCom(String key, String valueJson, int mappedLength) {
    Retries.call(true, () -> xcoms().setXCom(SetXComRequest.newBuilder()
        .setKey(key).setValueJson(valueJson).setMappedLength(mappedLength).build()));
  }

  /** Deletes an XCom of this task; returns whether it existed. */
  public boolean deleteXCom(String key) {
    return Retries.call(true, () -> xcoms().deleteXCom(DeleteXComRequest.newBuilder().setKey(key).build())).getDeleted();
  }

  /** Reads the XCom of an unmapped task. */
  public XCom getXCom(XComLocation location) {
    return getXCom(location, -1, false);
  }

  /** Reads one XCom; with {@code includePriorDates}, falls back to earlier runs of the same DAG. */
  public XCom getXCom(XComLocation location, int mapIndex, boolean includePriorDates) {
    GetXComResponse response = Retries.call(true, () -> xcoms().getXCom(GetXComRequest.newBuilder()
        .setRef(ref(location)).setMapIndex(mapIndex).setIncludePriorDates(includePriorDates).build()));
    return xcom(response);
  }

  /** Reads the value at {@code offset} of a mapped task's XComs (negative counts from the end). */
  public XCom getXComItem(XComLocation location, int offset) {
    return xcom(Retries.call(true, () -> xcoms().getXComItem(GetXComItemRequest.newBuilder()
        .setRef(ref(location)).setOffset(offset).build())));
  }

  /** Reads {@code [start:stop:step]} of a mapped task's XComs, Python slice style ({@code stop} may be empty). */
  public List<String> getXComSlice(XComLocation location, int start, Optional<Integer> stop, int step) {
    GetXComSliceRequest.Builder request = GetXComSliceRequest.newBuilder().setRef(ref(location)).setStart(start).setStep(step);
    stop.ifPresent(value -> request.setStop(value).setHasStop(true));
    return Retries.call(true, () -> xcoms().getXComSlice(request.build())).getValuesJsonList();
  }

  /** How many values a task stored under a key, and at which map indexes. */
  public XComCount getXComCount(XComLocation location) {
    GetXComCountResponse response = Retries.call(true, () -> xcoms().getXComCount(
        GetXComCountRequest.newBuilder().setRef(ref(location)).build()));
    return new XComCount(response.getCount(), response.getMapIndexesList());
  }

  private static XComRef ref(XComLocation location) {
    return XComRef.newBuilder().setDagId(location.dagId()).setRunId(location.runId())
        .setTaskId(location.taskId()).setKey(location.key()).build();
  }

  private static XCom xcom(GetXComResponse response) {
    XComRef ref = response.getRef();
    return new XCom(new XComLocation(ref.getDagId(), ref.getRunId(), ref.getTaskId(), ref.getKey()),
        response.getMapIndex(), response.getValueJson());
  }

  private static DagRun dagRun(DagRunInfo info) {
    return new DagRun(info.getDagId(), info.getRunId(),
        info.hasLogicalDate() ? Optional.of(instant(info.getLogicalDate())) : Optional.empty(),
        info.hasDataIntervalStart() ? Optional.of(instant(info.getDataIntervalStart())) : Optional.empty(),
        info.hasDataIntervalEnd() ? Optional.of(instant(info.getDataIntervalEnd())) : Optional.empty(),
        info.getRunType(), info.getConfJson());
  }

  private static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}

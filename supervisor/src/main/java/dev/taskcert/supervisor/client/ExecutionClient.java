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
import java.util.OptionalInt;
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
        response.getXcomKeysToClearList(), runContext(response));
  }

  private static RunContext runContext(StartTaskResponse response) {
    java.util.Map<String, List<Integer>> upstream = new java.util.TreeMap<>();
    response.getUpstreamMapIndexesMap().forEach((task, indexes) -> upstream.put(task, indexes.getMapIndexesList()));
    var run = response.getDagRun();
    return new RunContext(response.getShouldRetry(), response.getTaskRescheduleCount(),
        nonEmpty(response.getNextMethod()), nonEmpty(response.getNextKwargsJson()),
        nonEmpty(response.getNextKwargsSealed()),
        response.hasStartDate() ? Optional.of(instant(response.getStartDate())) : Optional.empty(), upstream,
        nonEmpty(response.getTaskInstanceId()), response.getExecutionGeneration(),
        nonEmpty(response.getRenderedMapIndex()),
        run.hasRunAfter() ? Optional.of(instant(run.getRunAfter())) : Optional.empty(),
        run.hasStartDate() ? Optional.of(instant(run.getStartDate())) : Optional.empty(),
        run.hasEndDate() ? Optional.of(instant(run.getEndDate())) : Optional.empty(),
        run.getState(), run.getClearNumber());
  }

  private static Optional<String> nonEmpty(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /**
   * Ends the try in a terminal state with the map index as the task rendered it (empty for none);
   * repeating the same state is harmless.
   */
  public void finishTask(TerminalState state, String renderedMapIndex) {
    Retries.call(true, () -> tasks().finishTask(FinishTaskRequest.newBuilder()
        .setState(state.wire()).setEndDate(timestamp(Instant.now())).setRenderedMapIndex(renderedMapIndex).build()));
  }

  /** Ends the try UP_FOR_RETRY, asking for the next try after {@code delay}, saying why. */
  public void retryTask(java.time.Duration delay, String reason, String renderedMapIndex) {
    Retries.call(true, () -> tasks().finishTask(FinishTaskRequest.newBuilder()
        .setState(TerminalState.UP_FOR_RETRY.wire()).setEndDate(timestamp(Instant.now()))
        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(delay.getSeconds()).setNanos(delay.getNano()))
        .setRetryReason(reason).setRenderedMapIndex(renderedMapIndex).build()));
  }

  /**
   * Defers the try to a trigger whose arguments (and the resume method's) are opaque (encrypted)
   * strings the server stores unread, on the triggerer queue {@code triggerQueue} (empty for the default).
   */
  public void deferTaskSealed(String classpath, String sealedTriggerKwargs, String nextMethod, String sealedNextKwargs,
      Optional<Instant> timeout, String triggerQueue) {
    DeferTaskRequest.Builder request = DeferTaskRequest.newBuilder()
        .setClasspath(classpath)
        .setTriggerKwargsSealed(sealedTriggerKwargs)
        .setNextMethod(nextMethod)
        .setNextKwargsSealed(sealedNextKwargs)
        .setTriggerQueue(triggerQueue);
    timeout.ifPresent(t -> request.setTriggerTimeout(timestamp(t)));
    Retries.call(true, () -> tasks().deferTask(request.build()));
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

  /**
   * Ends the try with SUCCESS, recording an asset event for each outlet in the same transaction;
   * repeating it is harmless.
   */
  public void succeedTask(List<AssetOutletEvent> outlets) {
    FinishTaskRequest.Builder request = FinishTaskRequest.newBuilder()
        .setState(TerminalState.SUCCESS.wire()).setEndDate(timestamp(Instant.now()));
    for (AssetOutletEvent outlet : outlets) {
      var wire = dev.taskcert.proto.execution.v1.AssetOutlet.newBuilder()
          .setAsset(assetRef(outlet.asset())).setExtraJson(outlet.extraJson());
      outlet.alias().ifPresent(wire::setAlias);
      request.addOutlets(wire);
    }
    Retries.call(true, () -> tasks().finishTask(request.build()));
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
    setXCom(key, valueJson, OptionalInt.empty(), false);
  }

  /**
   * Stores an XCom of this task, recording the mapped length for downstream expansion (0 is a
   * length: an empty expansion).
   */
  public void setXCom(String key, String valueJson, int mappedLength) {
    setXCom(key, valueJson, OptionalInt.of(mappedLength), false);
  }

  /**
   * Stores an XCom of this task: {@code mappedLength} (if present) is how many instances a mapped
   * downstream expands to; {@code dagResult} marks the value as a result of the dag run.
   */
  public void setXCom(String key, String valueJson, OptionalInt mappedLength, boolean dagResult) {
    SetXComRequest.Builder request = SetXComRequest.newBuilder().setKey(key).setValueJson(valueJson).setDagResult(dagResult);
    mappedLength.ifPresent(request::setMappedLength);
    Retries.call(true, () -> xcoms().setXCom(request.build()));
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
    return getXComItem(location, offset, false);
  }

  /**
   * Reads the value at {@code offset} (negative counts from the end) of a mapped task's XComs; with
   * {@code includePriorDates} the sequence includes earlier runs' values, as for
   * {@link #getXComSlice(XComLocation, OptionalInt, OptionalInt, int, boolean)}.
   */
  public XCom getXComItem(XComLocation location, int offset, boolean includePriorDates) {
    return xcom(Retries.call(true, () -> xcoms().getXComItem(GetXComItemRequest.newBuilder()
        .setRef(ref(location)).setOffset(offset).setIncludePriorDates(includePriorDates).build())));
  }

  /** Reads {@code [start:stop:step]} of a mapped task's XComs, Python slice style ({@code stop} may be empty). */
  public List<String> getXComSlice(XComLocation location, int start, Optional<Integer> stop, int step) {
    return getXComSlice(location, OptionalInt.of(start), stop.map(OptionalInt::of).orElse(OptionalInt.empty()), step, false);
  }

  /**
   * Reads Python's {@code values[start:stop:step]} of a mapped task's XComs in map-index order: an
   * empty bound is the start or end in the step's direction, negative bounds count from the end, a
   * negative step walks backwards (0 means 1). With {@code includePriorDates} the values of earlier
   * runs of the same DAG join the sequence (by map index, newest run first) where the caller's read
   * scope reaches them. At most 1000 values per call.
   */
  public List<String> getXComSlice(XComLocation location, OptionalInt start, OptionalInt stop, int step,
      boolean includePriorDates) {
    GetXComSliceRequest.Builder request = GetXComSliceRequest.newBuilder().setRef(ref(location)).setStep(step)
        .setIncludePriorDates(includePriorDates);
    start.ifPresent(request::setStart);
    stop.ifPresent(request::setStop);
    return Retries.call(true, () -> xcoms().getXComSlice(request.build())).getValuesJsonList();
  }

  /** How many values a task stored under a key, and at which map indexes. */
  public XComCount getXComCount(XComLocation location) {
    GetXComCountResponse response = Retries.call(true, () -> xcoms().getXComCount(
        GetXComCountRequest.newBuilder().setRef(ref(location)).build()));
    return new XComCount(response.getCount(), response.getMapIndexesList());
  }

  // --- assets -------------------------------------------------------------------------------

  /** The asset named {@code name}, if the caller's team may see it. */
  public Asset getAssetByName(String name) {
    return asset(Retries.call(true, () -> assets().getAssetByName(
        dev.taskcert.proto.execution.v1.GetAssetByNameRequest.newBuilder().setName(name).build())).getAsset());
  }

  /** The asset with URI {@code uri}, if the caller's team may see it. */
  public Asset getAssetByUri(String uri) {
    return asset(Retries.call(true, () -> assets().getAssetByUri(
        dev.taskcert.proto.execution.v1.GetAssetByUriRequest.newBuilder().setUri(uri).build())).getAsset());
  }

  /** Events of one asset (by name, URI or both), filtered and ordered by {@code filter}. */
  public List<AssetEvent> getAssetEvents(AssetKey asset, AssetEventFilter filter) {
    var request = dev.taskcert.proto.execution.v1.GetAssetEventsRequest.newBuilder()
        .setAsset(assetRef(asset)).setDescending(!filter.ascending()).setLimit(filter.limit());
    filter.after().ifPresent(after -> request.setAfter(timestamp(after)));
    filter.before().ifPresent(before -> request.setBefore(timestamp(before)));
    return events(Retries.call(true, () -> assets().getAssetEvents(request.build())).getAssetEventsList());
  }

  /** Events recorded through asset alias {@code alias} of assets the caller may see. */
  public List<AssetEvent> getAssetEventsByAlias(String alias, AssetEventFilter filter) {
    var request = dev.taskcert.proto.execution.v1.GetAssetEventsByAliasRequest.newBuilder()
        .setAliasName(alias).setDescending(!filter.ascending()).setLimit(filter.limit());
    filter.after().ifPresent(after -> request.setAfter(timestamp(after)));
    filter.before().ifPresent(before -> request.setBefore(timestamp(before)));
    return events(Retries.call(true, () -> assets().getAssetEventsByAlias(request.build())).getAssetEventsList());
  }

  /** The inlets and outlets that are not active assets the caller may use; empty when all are. */
  public List<AssetKey> validateInletsAndOutlets(List<AssetKey> inlets, List<AssetKey> outlets) {
    var request = dev.taskcert.proto.execution.v1.ValidateInletsAndOutletsRequest.newBuilder();
    inlets.forEach(key -> request.addInlets(assetRef(key)));
    outlets.forEach(key -> request.addOutlets(assetRef(key)));
    return Retries.call(true, () -> assets().validateInletsAndOutlets(request.build())).getInactiveAssetsList()
        .stream().map(ref -> new AssetKey(ref.getName(), ref.getUri())).toList();
  }

  private dev.taskcert.proto.execution.v1.AssetsGrpc.AssetsBlockingStub assets() {
    return dev.taskcert.proto.execution.v1.AssetsGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static dev.taskcert.proto.execution.v1.AssetRef assetRef(AssetKey key) {
    return dev.taskcert.proto.execution.v1.AssetRef.newBuilder().setName(key.name()).setUri(key.uri()).build();
  }

  private static Asset asset(dev.taskcert.proto.execution.v1.Asset wire) {
    return new Asset(wire.getName(), wire.getUri(), wire.getGroup(), wire.getExtraJson());
  }

  private static List<AssetEvent> events(List<dev.taskcert.proto.execution.v1.AssetEvent> events) {
    return events.stream().map(event -> new AssetEvent(event.getId(),
        instant(event.getTimestamp()), event.getExtraJson(), asset(event.getAsset()),
        event.getSourceDagId().isEmpty() ? Optional.<AssetEvent.Source>empty()
            : Optional.of(new AssetEvent.Source(event.getSourceDagId(), event.getSourceRunId(),
                event.getSourceTaskId(), event.getSourceMapIndex())))).toList();
  }

  // --- state stores ------------------------------------------------------------------------

  /** The JSON value of {@code key} in this task instance's store (kept across its tries). */
  public String getTaskStoreValue(String key) {
    return Retries.call(true, () -> taskStore().getTaskStoreValue(
        dev.taskcert.proto.execution.v1.GetTaskStoreValueRequest.newBuilder().setKey(key).build())).getValueJson();
  }

  /** Stores a JSON value (not null) under {@code key} in this task instance's store, optionally expiring. */
  public void setTaskStoreValue(String key, String valueJson, Optional<Instant> expiresAt) {
    var request = dev.taskcert.proto.execution.v1.SetTaskStoreValueRequest.newBuilder()
        .setKey(key).setValueJson(valueJson);
    expiresAt.ifPresent(when -> request.setExpiresAt(timestamp(when)));
    Retries.call(true, () -> taskStore().setTaskStoreValue(request.build()));
  }

  /** Deletes {@code key} from this task instance's store; whether it existed. */
  public boolean deleteTaskStoreValue(String key) {
    return Retries.call(true, () -> taskStore().deleteTaskStoreValue(
        dev.taskcert.proto.execution.v1.DeleteTaskStoreValueRequest.newBuilder().setKey(key).build())).getDeleted();
  }

  /** Clears this task instance's store (and its mapped siblings' with {@code allMapIndices}); how many keys went. */
  public int clearTaskStore(boolean allMapIndices) {
    return Retries.call(true, () -> taskStore().clearTaskStore(
        dev.taskcert.proto.execution.v1.ClearTaskStoreRequest.newBuilder().setAllMapIndices(allMapIndices).build()))
        .getDeleted();
  }

  /** The JSON value of {@code key} in the store of {@code asset}. */
  public String getAssetStoreValue(AssetKey asset, String key) {
    return Retries.call(true, () -> assetStore().getAssetStoreValue(
        dev.taskcert.proto.execution.v1.GetAssetStoreValueRequest.newBuilder().setAsset(assetRef(asset)).setKey(key)
            .build())).getValueJson();
  }

  /** Stores a JSON value (not null) under {@code key} in the store of {@code asset}. */
  public void setAssetStoreValue(AssetKey asset, String key, String valueJson) {
    Retries.call(true, () -> assetStore().setAssetStoreValue(
        dev.taskcert.proto.execution.v1.SetAssetStoreValueRequest.newBuilder().setAsset(assetRef(asset)).setKey(key)
            .setValueJson(valueJson).build()));
  }

  /** Deletes {@code key} from the store of {@code asset}; whether it existed. */
  public boolean deleteAssetStoreValue(AssetKey asset, String key) {
    return Retries.call(true, () -> assetStore().deleteAssetStoreValue(
        dev.taskcert.proto.execution.v1.DeleteAssetStoreValueRequest.newBuilder().setAsset(assetRef(asset))
            .setKey(key).build())).getDeleted();
  }

  /** Clears the store of {@code asset}; how many keys went. */
  public int clearAssetStore(AssetKey asset) {
    return Retries.call(true, () -> assetStore().clearAssetStore(
        dev.taskcert.proto.execution.v1.ClearAssetStoreRequest.newBuilder().setAsset(assetRef(asset)).build()))
        .getDeleted();
  }

  private dev.taskcert.proto.execution.v1.TaskStoreGrpc.TaskStoreBlockingStub taskStore() {
    return dev.taskcert.proto.execution.v1.TaskStoreGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private dev.taskcert.proto.execution.v1.AssetStoreGrpc.AssetStoreBlockingStub assetStore() {
    return dev.taskcert.proto.execution.v1.AssetStoreGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  // --- human in the loop ---------------------------------------------------------------------

  /**
   * Asks this task instance's human-in-the-loop question; if it was asked before, the stored
   * question is kept (and an earlier answer removed) and returned.
   */
  public HitlQuestion createHitlDetail(HitlQuestion question) {
    var response = Retries.call(true, () -> hitl().createHitlDetail(
        dev.taskcert.proto.execution.v1.CreateHitlDetailRequest.newBuilder()
            .addAllOptions(question.options()).setSubject(question.subject()).setBody(question.body())
            .addAllDefaults(question.defaults()).setMultiple(question.multiple())
            .setParamsJson(question.paramsJson()).build()));
    return new HitlQuestion(response.getOptionsList(), response.getSubject(), response.getBody(),
        response.getDefaultsList(), response.getMultiple(), response.getParamsJson());
  }

  /** Records the task's own answer (for example the defaults after a timeout). */
  public HitlAnswer updateHitlDetail(List<String> chosenOptions, String paramsInputJson) {
    return answer(Retries.call(false, () -> hitl().updateHitlDetail(
        dev.taskcert.proto.execution.v1.UpdateHitlDetailRequest.newBuilder()
            .addAllChosenOptions(chosenOptions).setParamsInputJson(paramsInputJson).build())).getAnswer());
  }

  /** The answer part of this task instance's human-in-the-loop detail. */
  public HitlAnswer getHitlDetail() {
    return answer(Retries.call(true, () -> hitl().getHitlDetail(
        dev.taskcert.proto.execution.v1.GetHitlDetailRequest.getDefaultInstance())).getAnswer());
  }

  private dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc.HumanInTheLoopBlockingStub hitl() {
    return dev.taskcert.proto.execution.v1.HumanInTheLoopGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static HitlAnswer answer(dev.taskcert.proto.execution.v1.HitlDetailAnswer response) {
    return new HitlAnswer(response.getResponseReceived(),
        response.getRespondedBy().isEmpty() ? Optional.empty() : Optional.of(response.getRespondedBy()),
        response.hasRespondedAt() ? Optional.of(instant(response.getRespondedAt())) : Optional.empty(),
        response.getChosenOptionsList(), response.getParamsInputJson());
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

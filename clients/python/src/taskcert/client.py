"""The Execution API, shaped like Airflow's Task SDK client.

``client.task_instances``, ``client.variables``, ``client.connections``, ``client.xcoms``, and (from
:mod:`taskcert.assets`) ``client.assets``, ``client.asset_events``, ``client.task_store``,
``client.asset_store`` and ``client.hitl`` hold the methods of the RPCs of ``taskcert.execution.v1``. No method names the caller's dag, run or task:
the server takes them from the certificate. Every method raises a
:class:`taskcert.errors.TaskcertError` subclass, and every one is a call the server treats
idempotently (a repeated transition is answered as the first was), so each is retried on
``UNAVAILABLE``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from taskcert import _time
from taskcert._calls import Caller, rpc
from taskcert.assets import (
    ASSETS, AssetEventOperations, AssetOperations, AssetOutlet, AssetStoreOperations, HITLOperations,
    TaskStoreOperations, outlets_to_proto)
from taskcert.assets import validate_inlets_and_outlets as _validate_inlets_and_outlets
from taskcert.cross_dag import (
    DagOperations, DagRunOperations, TaskInstanceQueryOperations, TaskRescheduleOperations)
from taskcert.execution.v1 import (
    connections_pb2, connections_pb2_grpc, task_instances_pb2, task_instances_pb2_grpc,
    variables_pb2, variables_pb2_grpc, xcoms_pb2, xcoms_pb2_grpc)
from taskcert.models import (
    Connection, DagRun, StartedTask, Variable, XCom, XComCount, state_name, state_value)

TASK_INSTANCES = "taskcert.execution.v1.TaskInstances"
VARIABLES = "taskcert.execution.v1.Variables"
CONNECTIONS = "taskcert.execution.v1.Connections"
XCOMS = "taskcert.execution.v1.XComs"

#: The states a try can finish in.
TERMINAL_STATES = ("success", "failed", "skipped", "up_for_retry", "removed", "upstream_failed")


def _kwargs(value: Union[Dict[str, Any], str, None]) -> Dict[str, str]:
    """Keyword arguments as Airflow passes them: a dict (sent as JSON) or an encrypted string (sent as is)."""
    if isinstance(value, str):
        return {"sealed": value}
    return {"json": json.dumps(value or {})}


class TaskInstanceOperations(TaskInstanceQueryOperations):
    """The caller's own try: its lifecycle and what it records."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(task_instances_pb2_grpc.TaskInstancesStub, method, request)

    @rpc(TASK_INSTANCES, "StartTask")
    def start(self, hostname: str, pid: int, unix_user: str = "", when: Optional[datetime.datetime] = None) -> StartedTask:
        """Moves the try to RUNNING on this host and pid; the same host and pid again is a repeat."""
        response = self._call("StartTask", task_instances_pb2.StartTaskRequest(
            hostname=hostname, pid=pid, unix_user=unix_user, start_date=_time.to_timestamp(when)))
        next_kwargs: Union[Dict[str, Any], str, None] = None
        if response.next_kwargs_sealed:
            next_kwargs = response.next_kwargs_sealed
        elif response.next_kwargs_json:
            next_kwargs = json.loads(response.next_kwargs_json)
        return StartedTask(
            dag_run=DagRun.from_proto(response.dag_run),
            try_number=response.try_number,
            max_tries=response.max_tries,
            xcom_keys_to_clear=tuple(response.xcom_keys_to_clear),
            should_retry=response.should_retry,
            task_reschedule_count=response.task_reschedule_count,
            next_method=response.next_method or None,
            next_kwargs=next_kwargs,
            start_date=_time.to_datetime(response.start_date) if response.HasField("start_date") else None,
            upstream_map_indexes={task: (tuple(indexes.map_indexes) or None)
                                  for task, indexes in response.upstream_map_indexes.items()},
            task_instance_id=response.task_instance_id or None,
            execution_generation=response.execution_generation,
            rendered_map_index=response.rendered_map_index or None)

    @rpc(TASK_INSTANCES, "Heartbeat")
    def heartbeat(self, hostname: str, pid: int) -> str:
        """Reports the try alive from the host and pid ``start`` recorded; returns its state."""
        response = self._call("Heartbeat", task_instances_pb2.HeartbeatRequest(hostname=hostname, pid=pid))
        return state_name(response.state)

    @rpc(TASK_INSTANCES, "FinishTask")
    def finish(self, state: str, when: Optional[datetime.datetime] = None, rendered_map_index: Optional[str] = None,
               retry_delay: Optional[datetime.timedelta] = None, retry_reason: Optional[str] = None,
               outlets: Optional[Iterable[AssetOutlet]] = None) -> str:
        """Ends the try in a terminal state (``success``, ``failed``, ``up_for_retry``, ``upstream_failed``,
        ...); returns the state recorded. ``retry_delay`` and ``retry_reason`` go with ``up_for_retry`` only.

        With ``success``, an asset event is recorded for each of ``outlets`` in the same transaction.
        """
        if state.lower() not in TERMINAL_STATES:
            raise ValueError(f"{state!r} is not a terminal state; use one of {', '.join(TERMINAL_STATES)}")
        request = task_instances_pb2.FinishTaskRequest(
            state=state_value(state), end_date=_time.to_timestamp(when),
            rendered_map_index=rendered_map_index or "", retry_reason=retry_reason or "",
            outlets=outlets_to_proto(outlets))
        if retry_delay is not None:
            request.retry_delay.FromTimedelta(retry_delay)
        response = self._call("FinishTask", request)
        return state_name(response.state)

    @rpc(TASK_INSTANCES, "DeferTask")
    def defer(self, classpath: str, trigger_kwargs: Union[dict, str, None] = None, next_method: str = "",
              next_kwargs: Union[dict, str, None] = None, trigger_timeout: Optional[datetime.datetime] = None,
              queue: Optional[str] = None, rendered_map_index: Optional[str] = None) -> None:
        """Moves the try to DEFERRED, to be resumed (the same try) in ``next_method`` when the trigger
        fires. Either kwargs may be a dict or an encrypted string, which the server stores unread."""
        trigger = _kwargs(trigger_kwargs)
        resume = _kwargs(next_kwargs)
        request = task_instances_pb2.DeferTaskRequest(
            classpath=classpath,
            trigger_kwargs_json=trigger.get("json", ""),
            trigger_kwargs_sealed=trigger.get("sealed", ""),
            next_method=next_method,
            next_kwargs_json=resume.get("json", ""),
            next_kwargs_sealed=resume.get("sealed", ""),
            trigger_queue=queue or "",
            rendered_map_index=rendered_map_index or "")
        if trigger_timeout is not None:
            request.trigger_timeout.CopyFrom(_time.to_timestamp(trigger_timeout))
        self._call("DeferTask", request)

    @rpc(TASK_INSTANCES, "RescheduleTask")
    def reschedule(self, reschedule_date: datetime.datetime, end_date: Optional[datetime.datetime] = None) -> None:
        """Moves the try to UP_FOR_RESCHEDULE until ``reschedule_date`` (a past date means as soon as possible)."""
        self._call("RescheduleTask", task_instances_pb2.RescheduleTaskRequest(
            reschedule_date=_time.to_timestamp(reschedule_date), end_date=_time.to_timestamp(end_date)))

    @rpc(TASK_INSTANCES, "SetRenderedFields")
    def set_rtif(self, fields: dict) -> None:
        """Records the try's rendered template fields (a JSON object)."""
        self._call("SetRenderedFields", task_instances_pb2.SetRenderedFieldsRequest(fields_json=json.dumps(fields)))

    @rpc(TASK_INSTANCES, "SkipDownstream")
    def skip_downstream(self, task_ids: Iterable[str]) -> int:
        """Skips tasks of the caller's own dag run; returns how many changed."""
        response = self._call("SkipDownstream", task_instances_pb2.SkipDownstreamRequest(task_ids=list(task_ids)))
        return response.skipped_count

    @rpc(TASK_INSTANCES, "GetPreviousSuccessfulDagRun")
    def get_previous_successful_dagrun(self) -> Optional[DagRun]:
        """The latest successful run of the caller's DAG before this one, or None."""
        response = self._call("GetPreviousSuccessfulDagRun", task_instances_pb2.GetPreviousSuccessfulDagRunRequest())
        if not response.HasField("dag_run"):
            return None
        return dataclasses.replace(DagRun.from_proto(response.dag_run),
                                   start_date=_time.to_datetime(response.start_date),
                                   end_date=_time.to_datetime(response.end_date))


    @rpc(ASSETS, "ValidateInletsAndOutlets")
    def validate_inlets_and_outlets(self, inlets: Iterable[Tuple[str, str]] = (),
                                    outlets: Iterable[Tuple[str, str]] = ()) -> List[Tuple[str, str]]:
        """The (name, uri) inlets and outlets that are not active assets this task may use."""
        return _validate_inlets_and_outlets(self._caller, list(inlets), list(outlets))


class VariableOperations:
    """Variables the caller's team may see (its own and global ones)."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(variables_pb2_grpc.VariablesStub, method, request)

    @rpc(VARIABLES, "GetVariable")
    def get(self, key: str) -> Variable:
        """A variable; NotFound if absent, PermissionDenied if another team's."""
        response = self._call("GetVariable", variables_pb2.GetVariableRequest(key=key))
        return Variable(key=response.key, value=response.value, team=response.team)

    @rpc(VARIABLES, "SetVariable")
    def set(self, key: str, value: str, description: str = "") -> None:
        """Creates or replaces one of the caller's team's variables."""
        self._call("SetVariable", variables_pb2.SetVariableRequest(key=key, value=value, description=description))

    @rpc(VARIABLES, "DeleteVariable")
    def delete(self, key: str) -> bool:
        """Deletes one of the caller's team's variables; returns whether it existed."""
        return self._call("DeleteVariable", variables_pb2.DeleteVariableRequest(key=key)).deleted

    @rpc(VARIABLES, "ListVariableKeys")
    def keys(self, prefix: str = "", page_size: int = 0) -> List[str]:
        """Every key the caller could read that starts with ``prefix``, fetched a page at a time."""
        keys: List[str] = []
        token = ""
        while True:
            response = self._call("ListVariableKeys", variables_pb2.ListVariableKeysRequest(
                prefix=prefix, page_size=page_size, page_token=token))
            keys.extend(response.keys)
            token = response.next_page_token
            if not token:
                return keys


class ConnectionOperations:
    """Connections the caller's team may use."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @rpc(CONNECTIONS, "GetConnection")
    def get(self, conn_id: str) -> Connection:
        """A connection with its password decrypted; NotFound or PermissionDenied otherwise."""
        response = self._caller.call(connections_pb2_grpc.ConnectionsStub, "GetConnection",
                                     connections_pb2.GetConnectionRequest(conn_id=conn_id))
        return Connection(
            conn_id=response.conn_id, conn_type=response.conn_type, host=response.host, schema=response.schema,
            login=response.login, password=response.password, port=response.port,
            extra=json.loads(response.extra_json) if response.extra_json else {})


def _ref(task_id: str, key: str, dag_id: str, run_id: str) -> xcoms_pb2.XComRef:
    return xcoms_pb2.XComRef(dag_id=dag_id, run_id=run_id, task_id=task_id, key=key)


class XComOperations:
    """XComs: the caller writes its own; reads name a task (and, to leave the own run, a dag and run).

    Values are anything ``json.dumps`` accepts; reads decode them.
    """

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any) -> Any:
        return self._caller.call(xcoms_pb2_grpc.XComsStub, method, request)

    @rpc(XCOMS, "GetXCom")
    def get(self, task_id: str, key: str = "return_value", dag_id: str = "", run_id: str = "",
            map_index: Optional[int] = None, include_prior_dates: bool = False) -> XCom:
        """One value; empty ``dag_id``/``run_id`` mean the caller's own. NotFound if absent."""
        request = xcoms_pb2.GetXComRequest(ref=_ref(task_id, key, dag_id, run_id), include_prior_dates=include_prior_dates)
        if map_index is not None:
            request.map_index = map_index
        return _xcom(self._call("GetXCom", request))

    @rpc(XCOMS, "SetXCom")
    def set(self, key: str, value: Any, mapped_length: Optional[int] = None, dag_result: bool = False) -> None:
        """Writes a value of the caller's own try.

        ``mapped_length``: for a mapped task's return value, how many instances downstream expand to
        (``0`` is a length, an empty expansion; ``None`` means none). ``dag_result``: the value is a
        result of the dag run.
        """
        request = xcoms_pb2.SetXComRequest(key=key, value_json=json.dumps(value), dag_result=dag_result)
        if mapped_length is not None:
            request.mapped_length = mapped_length
        self._call("SetXCom", request)

    @rpc(XCOMS, "DeleteXCom")
    def delete(self, key: str) -> bool:
        """Deletes a value of the caller's own try; returns whether it existed."""
        return self._call("DeleteXCom", xcoms_pb2.DeleteXComRequest(key=key)).deleted

    @rpc(XCOMS, "GetXComItem")
    def get_item(self, task_id: str, offset: int, key: str = "return_value", dag_id: str = "", run_id: str = "",
                 include_prior_dates: bool = False) -> XCom:
        """The value at ``offset`` (negative from the end) of a mapped task's values, in map-index order.

        ``include_prior_dates``: earlier runs' values join the sequence, as for ``get_slice``.
        """
        return _xcom(self._call("GetXComItem", xcoms_pb2.GetXComItemRequest(
            ref=_ref(task_id, key, dag_id, run_id), offset=offset, include_prior_dates=include_prior_dates)))

    @rpc(XCOMS, "GetXComSlice")
    def get_slice(self, task_id: str, start: Optional[int] = None, stop: Optional[int] = None,
                  step: Optional[int] = None, key: str = "return_value", dag_id: str = "", run_id: str = "",
                  include_prior_dates: bool = False) -> List[Any]:
        """``values[start:stop:step]`` of a mapped task's values in map-index order, decoded (at most 1000).

        Python's slice semantics: ``None`` bounds, negative bounds and a negative step as for a list.
        ``include_prior_dates``: earlier runs' values of the same DAG join the sequence (by map index,
        newest run first) where the caller's read scope reaches them.
        """
        if step == 0:
            raise ValueError("slice step cannot be zero")
        request = xcoms_pb2.GetXComSliceRequest(
            ref=_ref(task_id, key, dag_id, run_id), step=step or 1, include_prior_dates=include_prior_dates)
        if start is not None:
            request.start = start
        if stop is not None:
            request.stop = stop
        response = self._call("GetXComSlice", request)
        return [json.loads(value) for value in response.values_json]

    @rpc(XCOMS, "GetXComCount")
    def count(self, task_id: str, key: str = "return_value", dag_id: str = "", run_id: str = "") -> XComCount:
        """How many values a task left under ``key`` and at which map indexes."""
        response = self._call("GetXComCount", xcoms_pb2.GetXComCountRequest(ref=_ref(task_id, key, dag_id, run_id)))
        return XComCount(count=response.count, map_indexes=tuple(response.map_indexes))


def _xcom(response: xcoms_pb2.GetXComResponse) -> XCom:
    return XCom(dag_id=response.ref.dag_id, run_id=response.ref.run_id, task_id=response.ref.task_id,
                key=response.ref.key, map_index=response.map_index, value=json.loads(response.value_json))


class ExecutionClient:
    """The Execution API over a session's rotating mutual-TLS channel."""

    def __init__(self, caller: Caller) -> None:
        self.task_instances = TaskInstanceOperations(caller)
        self.variables = VariableOperations(caller)
        self.connections = ConnectionOperations(caller)
        self.xcoms = XComOperations(caller)
        self.assets = AssetOperations(caller)
        self.asset_events = AssetEventOperations(caller)
        self.task_store = TaskStoreOperations(caller)
        self.asset_store = AssetStoreOperations(caller)
        self.hitl = HITLOperations(caller)
        self.dag_runs = DagRunOperations(caller)
        self.dags = DagOperations(caller)
        self.task_reschedules = TaskRescheduleOperations(caller)

"""Dag runs and task instances of other DAGs, and the caller's own try's details.

``client.dag_runs`` reads, triggers and clears dag runs; ``client.dags`` says whether a DAG is
paused; ``client.task_instances`` gains the count, state, previous and breadcrumb reads and the
rendered map index; ``client.task_reschedules`` serves the first reschedule's start. A task reaches
its own team's DAGs, global DAGs (reads only) and DAGs that declare its team; any other DAG is
answered :class:`taskcert.errors.NotFound`, exactly as a DAG that does not exist.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

import grpc

from taskcert import _time
from taskcert._calls import Caller, rpc
from taskcert.errors import TaskcertError
from taskcert.execution.v1 import (
    dag_runs_pb2, dag_runs_pb2_grpc, task_instance_details_pb2, task_instance_details_pb2_grpc,
    task_instance_queries_pb2, task_instance_queries_pb2_grpc, task_instances_pb2, task_instances_pb2_grpc)
from taskcert.models import state_name, state_value

DAG_RUNS = "taskcert.execution.v1.DagRuns"
TASK_INSTANCE_QUERIES = "taskcert.execution.v1.TaskInstanceQueries"
TASK_INSTANCE_DETAILS = "taskcert.execution.v1.TaskInstanceDetails"


@dataclasses.dataclass(frozen=True)
class DagRunDetail:
    """A dag run of a readable DAG; ``state`` is ``queued``, ``running``, ``success`` or ``failed``."""

    dag_id: str
    run_id: str
    logical_date: Optional[datetime.datetime]
    data_interval_start: Optional[datetime.datetime]
    data_interval_end: Optional[datetime.datetime]
    start_date: Optional[datetime.datetime]
    end_date: Optional[datetime.datetime]
    run_type: str
    state: str
    conf: Dict[str, Any]

    @staticmethod
    def from_proto(message: dag_runs_pb2.DagRun) -> "DagRunDetail":
        return DagRunDetail(
            dag_id=message.dag_id, run_id=message.run_id,
            logical_date=_time.to_datetime(message.logical_date),
            data_interval_start=_time.to_datetime(message.data_interval_start),
            data_interval_end=_time.to_datetime(message.data_interval_end),
            start_date=_time.to_datetime(message.start_date), end_date=_time.to_datetime(message.end_date),
            run_type=message.run_type, state=message.state,
            conf=json.loads(message.conf_json) if message.conf_json else {})


@dataclasses.dataclass(frozen=True)
class TaskInstanceInfo:
    """A task instance of another task; ``state`` in Airflow's spelling (``success``, ...)."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    logical_date: Optional[datetime.datetime]
    start_date: Optional[datetime.datetime]
    end_date: Optional[datetime.datetime]
    state: str
    try_number: int
    duration: Optional[float]

    @staticmethod
    def from_proto(message: task_instance_queries_pb2.TaskInstanceSummary) -> "TaskInstanceInfo":
        return TaskInstanceInfo(
            dag_id=message.dag_id, run_id=message.run_id, task_id=message.task_id, map_index=message.map_index,
            logical_date=_time.to_datetime(message.logical_date), start_date=_time.to_datetime(message.start_date),
            end_date=_time.to_datetime(message.end_date), state=state_name(message.state),
            try_number=message.try_number,
            duration=message.duration_seconds if message.has_duration else None)


def _timestamps(dates: Optional[Iterable[datetime.datetime]]) -> list:
    return [_time.to_timestamp(date) for date in dates or ()]


class DagRunOperations:
    """Dag runs of DAGs the caller may read (and trigger), shaped like the Task SDK's ``client.dag_runs``."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _call(self, method: str, request: Any, idempotent: bool = True) -> Any:
        return self._caller.call(dag_runs_pb2_grpc.DagRunsStub, method, request, idempotent=idempotent)

    @rpc(DAG_RUNS, "TriggerDagRun")
    def trigger(self, dag_id: str, run_id: str, conf: Optional[dict] = None,
                logical_date: Optional[datetime.datetime] = None, reset_dag_run: bool = False) -> str:
        """Creates a queued manual run: ``"created"``; an existing run is cleared with ``reset_dag_run``
        (``"cleared"``) and otherwise left alone (``"already_exists"``), as the Task SDK answers."""
        request = dag_runs_pb2.TriggerDagRunRequest(
            dag_id=dag_id, run_id=run_id, conf_json=json.dumps(conf or {}), reset_dag_run=reset_dag_run)
        if logical_date is not None:
            request.logical_date.CopyFrom(_time.to_timestamp(logical_date))
        try:
            response = self._call("TriggerDagRun", request, idempotent=False)
        except TaskcertError as error:
            if error.code == grpc.StatusCode.ALREADY_EXISTS:
                return "already_exists"
            raise
        return "cleared" if response.cleared else "created"

    @rpc(DAG_RUNS, "ClearDagRun")
    def clear(self, dag_id: str, run_id: str) -> int:
        """Clears a run: back to queued, its unfinished tries ended; returns how many ended."""
        return self._call("ClearDagRun", dag_runs_pb2.ClearDagRunRequest(dag_id=dag_id, run_id=run_id)).ended_tries

    @rpc(DAG_RUNS, "GetDagRunState")
    def get_state(self, dag_id: str, run_id: str) -> str:
        """The run's state."""
        return self._call("GetDagRunState", dag_runs_pb2.GetDagRunStateRequest(dag_id=dag_id, run_id=run_id)).state

    @rpc(DAG_RUNS, "GetDagRunCount")
    def get_count(self, dag_id: str, logical_dates: Optional[List[datetime.datetime]] = None,
                  run_ids: Optional[List[str]] = None, states: Optional[List[str]] = None) -> int:
        """How many runs of the DAG match every filter given."""
        return self._call("GetDagRunCount", dag_runs_pb2.GetDagRunCountRequest(
            dag_id=dag_id, logical_dates=_timestamps(logical_dates), run_ids=list(run_ids or ()),
            states=list(states or ()))).count

    @rpc(DAG_RUNS, "GetPreviousDagRun")
    def get_previous(self, dag_id: str, logical_date: datetime.datetime,
                     state: Optional[str] = None) -> Optional[DagRunDetail]:
        """The run with the latest logical date before ``logical_date`` (in ``state``), or None."""
        response = self._call("GetPreviousDagRun", dag_runs_pb2.GetPreviousDagRunRequest(
            dag_id=dag_id, logical_date=_time.to_timestamp(logical_date), state=state or ""))
        return DagRunDetail.from_proto(response.dag_run) if response.HasField("dag_run") else None

    @rpc(DAG_RUNS, "GetDagRun")
    def get_detail(self, dag_id: str, run_id: str) -> DagRunDetail:
        """One run."""
        return DagRunDetail.from_proto(
            self._call("GetDagRun", dag_runs_pb2.GetDagRunRequest(dag_id=dag_id, run_id=run_id)).dag_run)


class DagOperations:
    """DAGs the caller may read."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @rpc(DAG_RUNS, "GetDagState")
    def get_state(self, dag_id: str) -> bool:
        """Whether the DAG is paused."""
        return self._caller.call(dag_runs_pb2_grpc.DagRunsStub, "GetDagState",
                                 dag_runs_pb2.GetDagStateRequest(dag_id=dag_id)).is_paused


class TaskInstanceQueryOperations:
    """Reads of other task instances and the caller's own try's details, on ``client.task_instances``."""

    _caller: Caller

    def _query(self, method: str, request: Any) -> Any:
        return self._caller.call(task_instance_queries_pb2_grpc.TaskInstanceQueriesStub, method, request)

    @rpc(TASK_INSTANCE_QUERIES, "GetTaskInstanceCount")
    def get_count(self, dag_id: str, map_index: Optional[int] = None, task_ids: Optional[List[str]] = None,
                  task_group_id: Optional[str] = None, logical_dates: Optional[List[datetime.datetime]] = None,
                  run_ids: Optional[List[str]] = None, states: Optional[List[str]] = None) -> int:
        """How many task instances of the DAG match every filter given."""
        request = task_instance_queries_pb2.GetTaskInstanceCountRequest(
            dag_id=dag_id, task_ids=list(task_ids or ()), task_group_id=task_group_id or "",
            logical_dates=_timestamps(logical_dates), run_ids=list(run_ids or ()),
            states=[state_value(state) for state in states or ()])
        if map_index is not None:
            request.map_index, request.has_map_index = map_index, True
        return self._query("GetTaskInstanceCount", request).count

    @rpc(TASK_INSTANCE_QUERIES, "GetTaskInstanceStates")
    def get_task_states(self, dag_id: str, map_index: Optional[int] = None, task_ids: Optional[List[str]] = None,
                        task_group_id: Optional[str] = None, logical_dates: Optional[List[datetime.datetime]] = None,
                        run_ids: Optional[List[str]] = None) -> Dict[str, Dict[str, str]]:
        """Task states by run id, then by task id (``task_id_mapindex`` for a mapped task)."""
        request = task_instance_queries_pb2.GetTaskInstanceStatesRequest(
            dag_id=dag_id, task_ids=list(task_ids or ()), task_group_id=task_group_id or "",
            logical_dates=_timestamps(logical_dates), run_ids=list(run_ids or ()))
        if map_index is not None:
            request.map_index, request.has_map_index = map_index, True
        response = self._query("GetTaskInstanceStates", request)
        return {run: {task: state_name(state) for task, state in states.task_states.items()}
                for run, states in response.task_states.items()}

    @rpc(TASK_INSTANCE_QUERIES, "GetPreviousTaskInstance")
    def get_previous(self, dag_id: str, task_id: str, logical_date: Optional[datetime.datetime] = None,
                     map_index: int = -1, state: Optional[str] = None) -> Optional[TaskInstanceInfo]:
        """The task's instance with the latest run logical date (before ``logical_date``, in ``state``)."""
        request = task_instance_queries_pb2.GetPreviousTaskInstanceRequest(
            dag_id=dag_id, task_id=task_id, map_index=map_index, has_map_index=True,
            state=state_value(state) if state else 0)
        if logical_date is not None:
            request.logical_date.CopyFrom(_time.to_timestamp(logical_date))
        response = self._query("GetPreviousTaskInstance", request)
        return TaskInstanceInfo.from_proto(response.task_instance) if response.HasField("task_instance") else None

    @rpc(TASK_INSTANCE_QUERIES, "GetTaskBreadcrumbs")
    def get_task_breadcrumbs(self, dag_id: str, run_id: str) -> List[TaskInstanceInfo]:
        """The run's finished task instances, by task id and map index."""
        response = self._query("GetTaskBreadcrumbs", task_instance_queries_pb2.GetTaskBreadcrumbsRequest(
            dag_id=dag_id, run_id=run_id))
        return [TaskInstanceInfo.from_proto(crumb) for crumb in response.breadcrumbs]

    @rpc(TASK_INSTANCE_DETAILS, "SetRenderedMapIndex")
    def set_rendered_map_index(self, rendered_map_index: str) -> None:
        """Records the try's rendered map index (1 to 250 bytes)."""
        self._caller.call(task_instance_details_pb2_grpc.TaskInstanceDetailsStub, "SetRenderedMapIndex",
                          task_instance_details_pb2.SetRenderedMapIndexRequest(rendered_map_index=rendered_map_index))

    def skip_downstream_tasks(self, tasks: Iterable[Tuple[str, int]]) -> int:
        """Skips task instances of the caller's own run by (task id, map index); those running, succeeded
        or failed keep their state. Returns how many changed."""
        request = task_instances_pb2.SkipDownstreamRequest(tasks=[
            task_instances_pb2.SkippedTask(task_id=task_id, map_index=map_index) for task_id, map_index in tasks])
        return self._caller.call(task_instances_pb2_grpc.TaskInstancesStub, "SkipDownstream", request).skipped_count


class TaskRescheduleOperations:
    """The caller's own try's reschedules."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    @rpc(TASK_INSTANCE_DETAILS, "GetRescheduleStartDate")
    def get_start_date(self) -> Optional[datetime.datetime]:
        """When the first reschedule of this try started, or None."""
        response = self._caller.call(task_instance_details_pb2_grpc.TaskInstanceDetailsStub, "GetRescheduleStartDate",
                                     task_instance_details_pb2.GetRescheduleStartDateRequest())
        return _time.to_datetime(response.start_date) if response.HasField("start_date") else None

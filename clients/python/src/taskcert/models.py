"""What the Execution API answers, as plain immutable values."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Dict, Optional, Tuple, Union

from taskcert import _time
from taskcert.execution.v1 import task_instances_pb2, task_state_pb2


def state_name(state: int) -> str:
    """``TASK_STATE_SUCCESS`` -> ``success`` (Airflow's spelling of task states)."""
    return task_state_pb2.TaskState.Name(state)[len("TASK_STATE_"):].lower()


def state_value(name: str) -> int:
    """``success`` or ``SUCCESS`` -> ``TASK_STATE_SUCCESS``; ValueError for an unknown state."""
    try:
        return task_state_pb2.TaskState.Value("TASK_STATE_" + name.upper())
    except ValueError:
        raise ValueError(f"unknown task state {name!r}") from None


@dataclasses.dataclass(frozen=True)
class DagRun:
    """A dag run as the server describes it; ``conf`` is the run's configuration, decoded."""

    dag_id: str
    run_id: str
    logical_date: Optional[datetime.datetime]
    data_interval_start: Optional[datetime.datetime]
    data_interval_end: Optional[datetime.datetime]
    run_type: str
    conf: Dict[str, Any]
    #: Airflow's DagRun fields beyond the above (StartTask's run context; start and end dates also
    #: from ``get_previous_successful_dagrun``).
    run_after: Optional[datetime.datetime] = None
    start_date: Optional[datetime.datetime] = None
    end_date: Optional[datetime.datetime] = None
    state: str = ""
    clear_number: int = 0
    consumed_asset_events: Tuple[Dict[str, Any], ...] = ()

    @staticmethod
    def from_proto(message: task_instances_pb2.DagRunInfo) -> "DagRun":
        return DagRun(
            dag_id=message.dag_id,
            run_id=message.run_id,
            logical_date=_time.to_datetime(message.logical_date),
            data_interval_start=_time.to_datetime(message.data_interval_start),
            data_interval_end=_time.to_datetime(message.data_interval_end),
            run_type=message.run_type,
            conf=json.loads(message.conf_json) if message.conf_json else {},
            run_after=_time.to_datetime(message.run_after) if message.HasField("run_after") else None,
            start_date=_time.to_datetime(message.start_date) if message.HasField("start_date") else None,
            end_date=_time.to_datetime(message.end_date) if message.HasField("end_date") else None,
            state=message.state,
            clear_number=message.clear_number,
            consumed_asset_events=tuple(_asset_event(event) for event in message.consumed_asset_events))


def _asset_event(event: Any) -> Dict[str, Any]:
    """One consumed asset event, shaped like Airflow's AssetEventDagRunReference."""
    return {
        "asset": {"name": event.asset_name, "uri": event.asset_uri,
                  "extra": json.loads(event.asset_extra_json) if event.asset_extra_json else {}},
        "extra": json.loads(event.extra_json) if event.extra_json else {},
        "source_dag_id": event.source_dag_id or None,
        "source_run_id": event.source_run_id or None,
        "source_task_id": event.source_task_id or None,
        "source_map_index": event.source_map_index if event.source_task_id else None,
        "source_aliases": [{"name": name} for name in event.source_aliases],
        "timestamp": _time.to_datetime(event.timestamp),
    }


@dataclasses.dataclass(frozen=True)
class StartedTask:
    """What ``start`` answers, as Airflow's TIRunContext: the run, this try's number, the number of
    retries (``max_tries``, Airflow's meaning), XCom keys earlier tries left behind, and on a resume
    after deferral ``next_method`` with ``next_kwargs`` (a dict, or the encrypted string given)."""

    dag_run: DagRun
    try_number: int
    max_tries: int
    xcom_keys_to_clear: Tuple[str, ...]
    should_retry: bool = False
    task_reschedule_count: int = 0
    next_method: Optional[str] = None
    next_kwargs: Optional[Union[Dict[str, Any], str]] = None
    start_date: Optional[datetime.datetime] = None
    upstream_map_indexes: Optional[Dict[str, Optional[Tuple[int, ...]]]] = None
    task_instance_id: Optional[str] = None
    execution_generation: int = 1
    rendered_map_index: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Variable:
    """A variable's value and owning team (empty for a global variable)."""

    key: str
    value: str
    team: str


@dataclasses.dataclass(frozen=True)
class Connection:
    """A connection, password decrypted; its repr shows ``***`` instead of the password."""

    conn_id: str
    conn_type: str
    host: str
    schema: str
    login: str
    password: str = dataclasses.field(repr=False)
    port: int
    extra: Dict[str, Any]


@dataclasses.dataclass(frozen=True)
class XCom:
    """One XCom value, decoded from JSON, and where it came from."""

    dag_id: str
    run_id: str
    task_id: str
    key: str
    map_index: int
    value: Any


@dataclasses.dataclass(frozen=True)
class XComCount:
    """How many values a task left under a key, and at which map indexes."""

    count: int
    map_indexes: Tuple[int, ...]

"""What the Execution API answers, as plain immutable values."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any, Dict, Optional, Tuple

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
    #: When the run started (its creation) and ended; set by ``get_previous_successful_dagrun`` only.
    start_date: Optional[datetime.datetime] = None
    end_date: Optional[datetime.datetime] = None

    @staticmethod
    def from_proto(message: task_instances_pb2.DagRunInfo) -> "DagRun":
        return DagRun(
            dag_id=message.dag_id,
            run_id=message.run_id,
            logical_date=_time.to_datetime(message.logical_date),
            data_interval_start=_time.to_datetime(message.data_interval_start),
            data_interval_end=_time.to_datetime(message.data_interval_end),
            run_type=message.run_type,
            conf=json.loads(message.conf_json) if message.conf_json else {})


@dataclasses.dataclass(frozen=True)
class StartedTask:
    """What ``start`` answers: the run, this try's number, and XCom keys earlier tries left behind."""

    dag_run: DagRun
    try_number: int
    max_tries: int
    xcom_keys_to_clear: Tuple[str, ...]


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

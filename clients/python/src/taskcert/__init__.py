"""taskcert: a supervisor's client for the taskcert execution server.

Open a :class:`TaskSession` with a try's one-time enrollment token; ``session.client`` then has the
Execution API in Airflow Task SDK shape (``task_instances``, ``variables``, ``connections``,
``xcoms``), over a mutual-TLS channel whose certificate renews itself in the background.
"""

from taskcert.assets import Asset, AssetEvent, AssetOutlet, HITLDetail, HITLDetailResponse
from taskcert.client import ExecutionClient
from taskcert.credentials import TaskCredentials
from taskcert.errors import (
    ConfigurationError, Failed, InvalidRequest, NotAuthenticated, NotFound, PermissionDenied, TaskcertError,
    TaskNotLive, Unavailable)
from taskcert.heartbeat import HeartbeatLoop
from taskcert.models import Connection, DagRun, StartedTask, Variable, XCom, XComCount
from taskcert.renewal import RenewalListener, RenewalPolicy
from taskcert.session import TaskSession

__all__ = [
    "Asset", "AssetEvent", "AssetOutlet", "HITLDetail", "HITLDetailResponse",
    "ConfigurationError", "Connection", "DagRun", "ExecutionClient", "Failed", "HeartbeatLoop", "InvalidRequest",
    "NotAuthenticated", "NotFound", "PermissionDenied", "RenewalListener", "RenewalPolicy", "StartedTask",
    "TaskCredentials", "TaskNotLive", "TaskSession", "TaskcertError", "Unavailable", "Variable", "XCom", "XComCount",
]

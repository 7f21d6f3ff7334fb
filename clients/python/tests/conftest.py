"""Fixtures for the suite: a real server described by the file ``$TASKCERT_TEST_CONFIG``.

The integration test that runs this suite (``PythonClientTest``) starts the server, writes that
file, and runs pytest with the installed wheel. The Admin API (over mutual TLS with the admin
certificate the file names) queues, ends and revokes tries the way a scheduler or an operator would.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from typing import Callable, Dict, Iterator, List

import grpc
import pytest

from taskcert import TaskSession
from taskcert.admin.v1 import admin_pb2, admin_pb2_grpc
from taskcert.admin.v1 import assets_pb2_grpc as assets_admin_pb2_grpc


@dataclasses.dataclass(frozen=True)
class Server:
    """Where the server is, and what the demo data holds."""

    execution_target: str
    enrollment_target: str
    trust_bundle_pem: bytes
    certificate_lifetime_seconds: int
    run_id: str
    global_variable: str
    teams: Dict[str, Dict[str, str]]


@dataclasses.dataclass(frozen=True)
class QueuedTry:
    """A try queued through the Admin API, with its one-time token."""

    team: str
    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    try_number: int
    token: str
    spiffe_id: str

    def ref(self) -> admin_pb2.TaskTryRef:
        return admin_pb2.TaskTryRef(dag_id=self.dag_id, run_id=self.run_id, task_id=self.task_id,
                                    map_index=self.map_index, try_number=self.try_number)


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


@pytest.fixture(scope="session")
def config() -> dict:
    path = os.environ.get("TASKCERT_TEST_CONFIG")
    if not path:
        pytest.fail("TASKCERT_TEST_CONFIG is not set: run this suite through PythonClientTest, which starts the server")
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


@pytest.fixture(scope="session")
def server(config: dict) -> Server:
    return Server(
        execution_target=config["execution_target"],
        enrollment_target=config["enrollment_target"],
        trust_bundle_pem=_read(config["trust_bundle"]),
        certificate_lifetime_seconds=config["certificate_lifetime_seconds"],
        run_id=config["run_id"],
        global_variable=config["global_variable"],
        teams=config["teams"])


@pytest.fixture(scope="session")
def admin(config: dict, server: Server) -> Iterator[admin_pb2_grpc.AdminStub]:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=server.trust_bundle_pem,
        private_key=_read(config["admin_key"]),
        certificate_chain=_read(config["admin_certificate"]))
    with grpc.secure_channel(server.execution_target, credentials) as channel:
        yield admin_pb2_grpc.AdminStub(channel)


@pytest.fixture(scope="session")
def asset_admin(config: dict, server: Server) -> Iterator[assets_admin_pb2_grpc.AssetAdminStub]:
    """The asset registration API, with the same admin certificate as ``admin``."""
    credentials = grpc.ssl_channel_credentials(
        root_certificates=server.trust_bundle_pem,
        private_key=_read(config["admin_key"]),
        certificate_chain=_read(config["admin_certificate"]))
    with grpc.secure_channel(server.execution_target, credentials) as channel:
        yield assets_admin_pb2_grpc.AssetAdminStub(channel)


@pytest.fixture
def queue(server: Server, admin: admin_pb2_grpc.AdminStub) -> Callable[..., QueuedTry]:
    """``queue(team, task_id=None, map_index=-1)``: the next try of a task of that team's DAG."""

    def queue_try(team: str, task_id: str = "", map_index: int = -1) -> QueuedTry:
        dag_id = server.teams[team]["dag_id"]
        task_id = task_id or "py_" + uuid.uuid4().hex[:12]
        response = admin.QueueTaskInstance(admin_pb2.QueueTaskInstanceRequest(
            dag_id=dag_id, run_id=server.run_id, task_id=task_id, map_index=map_index, max_tries=2), timeout=10)
        return QueuedTry(team=team, dag_id=dag_id, run_id=server.run_id, task_id=task_id, map_index=map_index,
                         try_number=response.try_number, token=response.enrollment_token, spiffe_id=response.spiffe_id)

    return queue_try


@pytest.fixture
def open_session(server: Server) -> Iterator[Callable[..., TaskSession]]:
    """``open_session(token, **options)``: a TaskSession closed at the end of the test."""
    sessions: List[TaskSession] = []

    def open_one(token: str, **options: object) -> TaskSession:
        session = TaskSession.open(server.execution_target, server.enrollment_target, server.trust_bundle_pem,
                                   token, **options)
        sessions.append(session)
        return session

    yield open_one
    for session in sessions:
        session.close()

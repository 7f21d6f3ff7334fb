"""When the server stops accepting a try: renewal stops and says so, heartbeats stop the task."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from typing import List

import pytest

import taskcert
from taskcert import RenewalListener, TaskcertError
from taskcert.admin.v1 import admin_pb2
from taskcert.execution.v1 import task_state_pb2

HOST = socket.gethostname()
PID = os.getpid()
WAIT_SECONDS = 60  # an upper bound on waiting for the server's answer, not a timing assertion


class EndRecorder(RenewalListener):
    def __init__(self) -> None:
        self.ended: List[TaskcertError] = []
        self.event = threading.Event()

    def on_try_ended(self, error: TaskcertError) -> None:
        self.ended.append(error)
        self.event.set()


def start_task_process() -> subprocess.Popen:
    """Stands in for the task the supervisor runs: a child process that would run until stopped."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def test_a_revoked_try_stops_renewal_and_the_session_reports_it(server, admin, queue, open_session) -> None:
    queued = queue("analytics")
    session = open_session(queued.token)
    recorder = EndRecorder()
    session.add_renewal_listener(recorder)
    session.client.task_instances.start(HOST, PID)

    revoked = admin.RevokeCertificates(admin_pb2.RevokeCertificatesRequest(
        task_try=queued.ref(), reason="pytest: compromised worker"), timeout=10)
    assert session.credentials.serial_hex in revoked.revoked_serial_hex

    assert recorder.event.wait(WAIT_SECONDS), "renewal did not report the revocation"
    assert isinstance(session.renewal_stopped, taskcert.NotAuthenticated)
    assert recorder.ended == [session.renewal_stopped]
    renewals = session.renewals.renewals
    with pytest.raises(taskcert.NotAuthenticated):
        session.client.variables.get(server.global_variable)
    assert session.renewals.renewals == renewals


def test_heartbeat_conflict_when_superseded_stops_the_task(server, queue, open_session) -> None:
    queued = queue("analytics")
    session = open_session(queued.token)
    session.client.task_instances.start(HOST, PID)
    task = start_task_process()
    reasons: List[TaskcertError] = []

    def stop_the_task(reason: TaskcertError) -> None:
        reasons.append(reason)
        task.terminate()

    session.start_heartbeats(HOST, PID, 0.5, stop_the_task)
    # The scheduler queues a new try of the same task instance: this one is superseded (Airflow: 409).
    queue("analytics", queued.task_id)

    assert task.wait(WAIT_SECONDS) == -signal.SIGTERM
    assert len(reasons) == 1
    assert isinstance(reasons[0], taskcert.TaskNotLive), reasons[0]
    assert reasons[0].reason


def test_a_try_ended_by_an_operator_stops_heartbeats_and_renewal(server, admin, queue, open_session) -> None:
    queued = queue("payments")
    session = open_session(queued.token)
    recorder = EndRecorder()
    session.add_renewal_listener(recorder)
    session.client.task_instances.start(HOST, PID)
    task = start_task_process()
    reasons: List[TaskcertError] = []

    def stop_the_task(reason: TaskcertError) -> None:
        reasons.append(reason)
        task.terminate()

    loop = session.start_heartbeats(HOST, PID, 0.5, stop_the_task)
    admin.EndTry(admin_pb2.EndTryRequest(task_try=queued.ref(), state=task_state_pb2.TASK_STATE_FAILED,
                                         reason="pytest: operator ended the try"), timeout=10)

    assert task.wait(WAIT_SECONDS) == -signal.SIGTERM
    assert isinstance(reasons[0], (taskcert.TaskNotLive, taskcert.NotAuthenticated)), reasons[0]
    assert loop.ended is reasons[0]
    assert recorder.event.wait(WAIT_SECONDS), "renewal did not stop"
    assert isinstance(session.renewal_stopped, (taskcert.TaskNotLive, taskcert.NotAuthenticated))


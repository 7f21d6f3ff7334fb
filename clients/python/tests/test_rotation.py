"""Certificates that live a few seconds rotate under continuous calls, and no call fails."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import List

from taskcert import RenewalListener, TaskCredentials, TaskcertError

HOST = socket.gethostname()
PID = os.getpid()
CALLERS = 4
ROTATIONS = 3


class Recorder(RenewalListener):
    def __init__(self) -> None:
        self.serials: List[str] = []
        self.ended: List[TaskcertError] = []
        self.renewed = threading.Condition()

    def on_renewed(self, credentials: TaskCredentials) -> None:
        with self.renewed:
            self.serials.append(credentials.serial_hex)
            self.renewed.notify_all()

    def on_try_ended(self, error: TaskcertError) -> None:
        self.ended.append(error)


def test_rotation_under_continuous_calls_fails_no_call(server, queue, open_session) -> None:
    session = open_session(queue("analytics").token)
    first_serial = session.credentials.serial_hex
    recorder = Recorder()
    session.add_renewal_listener(recorder)
    session.client.task_instances.start(HOST, PID)
    no_longer_live: List[TaskcertError] = []
    session.start_heartbeats(HOST, PID, 0.5, no_longer_live.append)

    stop = threading.Event()
    failures: List[BaseException] = []
    calls = [0] * CALLERS

    def call(index: int) -> None:
        while not stop.is_set():
            try:
                session.client.variables.get(server.global_variable)
                calls[index] += 1
            except BaseException as error:  # every failure counts, whatever its type
                failures.append(error)

    callers = [threading.Thread(target=call, args=(index,), daemon=True) for index in range(CALLERS)]
    for thread in callers:
        thread.start()
    # Bounded wait for the rotations (each comes after about two thirds of a certificate's lifetime).
    deadline = time.monotonic() + server.certificate_lifetime_seconds * (ROTATIONS + 4)
    with recorder.renewed:
        while len(recorder.serials) < ROTATIONS and time.monotonic() < deadline:
            recorder.renewed.wait(1)
    stop.set()
    for thread in callers:
        thread.join(30)

    assert failures == [], f"{len(failures)} calls failed, first: {failures[0]!r}" if failures else ""
    # Each renewal comes after at least (2/3 - 5 %) of a lifetime, so three span more than one: the
    # first certificate expired while the callers ran, and their calls had to present new ones.
    assert len(recorder.serials) >= ROTATIONS, f"only {len(recorder.serials)} renewals"
    assert len(set(recorder.serials + [first_serial])) == len(recorder.serials) + 1, "each renewal is a new certificate"
    assert session.credentials.serial_hex == recorder.serials[-1]
    assert session.renewals.renewals == len(recorder.serials)
    assert all(count > 0 for count in calls), calls
    assert recorder.ended == [] and no_longer_live == [] and session.renewal_stopped is None
    # The try is still live after every rotation.
    assert session.client.task_instances.finish("success") == "success"

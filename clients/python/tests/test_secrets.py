"""The try's keys are never written to disk, logged, or put into an exception or a repr."""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
import time
from typing import Iterator, List, Set

import pytest
from cryptography.hazmat.primitives import serialization

import taskcert
from taskcert import RenewalListener, TaskCredentials

HOST = socket.gethostname()
PID = os.getpid()
WAIT_SECONDS = 60


class Keys(RenewalListener):
    """Collects every credential the session holds, initial and renewed."""

    def __init__(self, first: TaskCredentials) -> None:
        self.credentials: List[TaskCredentials] = [first]
        self.renewed = threading.Event()

    def on_renewed(self, credentials: TaskCredentials) -> None:
        self.credentials.append(credentials)
        self.renewed.set()


def key_forms(credentials: TaskCredentials) -> Set[bytes]:
    """The encodings a leaked key would most likely take: raw scalar, PKCS#8 and SEC1 in DER and PEM."""
    key = credentials.private_key
    forms = {key.private_numbers().private_value.to_bytes(32, "big")}
    for encoding in (serialization.Encoding.DER, serialization.Encoding.PEM):
        for private_format in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
            encoded = key.private_bytes(encoding, private_format, serialization.NoEncryption())
            if encoding == serialization.Encoding.PEM:
                # The base64 body, line by line: any line of it on disk is a leak.
                forms.update(line for line in encoded.splitlines() if line and not line.startswith(b"-----"))
            else:
                forms.add(encoded)
    forms.add(str(key.private_numbers().private_value).encode())
    forms.add(format(key.private_numbers().private_value, "x").encode())
    return forms


def files_under(*roots: str) -> Iterator[str]:
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    yield path


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_no_key_bytes_on_disk_or_in_logs(server, queue, open_session, capfd) -> None:
    handler = ListHandler()
    logger = logging.getLogger("taskcert")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    started_at = time.time()
    try:
        session = open_session(queue("analytics").token)
        keys = Keys(session.credentials)
        session.add_renewal_listener(keys)
        session.client.task_instances.start(HOST, PID)
        session.start_heartbeats(HOST, PID, 0.5, lambda reason: None)
        assert keys.renewed.wait(WAIT_SECONDS), "no renewal happened"
        errors: List[str] = []
        for call in (lambda: session.client.variables.get(server.teams["payments"]["variable"]),
                     lambda: session.client.variables.get("no_such_variable_anywhere")):
            with pytest.raises(taskcert.TaskcertError) as failure:
                call()
            errors.append(str(failure.value) + repr(failure.value))
        texts = [repr(session.credentials), str(session.credentials)] + errors
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    captured = capfd.readouterr()

    assert any("renewed" in line for line in handler.lines), "the debug log must have recorded the renewal"
    secrets = set().union(*(key_forms(credentials) for credentials in keys.credentials))
    written = "\n".join(handler.lines + texts + [captured.out, captured.err]).encode()
    for secret in secrets:
        assert secret not in written, "key material in the logs, output or an exception"

    # Everything written since the session opened where this process can write: the working
    # directory (the test's scratch directory), the temporary directory and the environment's prefix.
    roots = {os.getcwd(), tempfile.gettempdir(), os.path.dirname(os.path.dirname(taskcert.__file__))}
    for path in files_under(*roots):
        try:
            if os.path.getmtime(path) < started_at - 1:
                continue
            with open(path, "rb") as stream:
                content = stream.read()
        except OSError:
            continue
        for secret in secrets:
            assert secret not in content, f"key material written to {path}"

"""Heartbeats a running try, and stops the task when the server no longer accepts it.

Airflow's supervisor kills its task when a heartbeat is answered with an HTTP conflict; here the
equivalent answers are statuses, not particular calls: ``FAILED_PRECONDITION`` (the try is no longer RUNNING:
finished, failed by the server's heartbeat sweep, ended by an operator, superseded, or another host
or pid), ``UNAUTHENTICATED`` (the certificate was revoked or expired) and ``PERMISSION_DENIED``.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Optional

from taskcert.client import TaskInstanceOperations
from taskcert.errors import TRY_ENDED, TaskcertError

log = logging.getLogger(__name__)


class HeartbeatLoop:
    """Heartbeats at once and then every ``interval`` seconds on a daemon thread, until closed.

    ``on_try_ended(reason)`` is called once, on that thread, when the server refuses the try: stop
    the task, its results can no longer be reported. ``on_failure(error)`` hears any other failed
    heartbeat (the loop carries on).
    """

    def __init__(self, task_instances: TaskInstanceOperations, hostname: str, pid: int, interval: float,
                 on_try_ended: Callable[[TaskcertError], None],
                 on_failure: Optional[Callable[[TaskcertError], None]] = None) -> None:
        if interval <= 0:
            raise ValueError("heartbeat interval must be positive")
        self._task_instances = task_instances
        self._hostname = hostname
        self._pid = pid
        self._interval = interval
        self._on_try_ended = on_try_ended
        self._on_failure = on_failure
        self._stop = threading.Event()
        self._ended: Optional[TaskcertError] = None
        self._thread = threading.Thread(target=self._run, name="taskcert-heartbeat", daemon=True)

    def start(self) -> "HeartbeatLoop":
        """Starts the heartbeat thread and returns this loop."""
        self._thread.start()
        return self

    @property
    def ended(self) -> Optional[TaskcertError]:
        """Why the server stopped accepting the try, or None."""
        return self._ended

    def _run(self) -> None:
        while True:
            try:
                self._task_instances.heartbeat(self._hostname, self._pid)
            except TRY_ENDED as error:
                if self._stop.is_set():
                    return
                log.warning("the server no longer accepts this try: %s", error)
                self._ended = error
                self._on_try_ended(error)
                return
            except TaskcertError as error:
                log.warning("heartbeat failed: %s", error)
                if self._on_failure is not None:
                    self._on_failure(error)
            except ValueError:
                return  # the session was closed
            if self._stop.wait(self._interval):
                return

    def close(self) -> None:
        """Stops heartbeating (a heartbeat in flight finishes)."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def __enter__(self) -> "HeartbeatLoop":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

"""A task try's session: enroll, a rotating mutual-TLS channel, renewal, and the client."""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional, Sequence

from taskcert import credentials as credentials_module
from taskcert._calls import Caller
from taskcert.channel import RotatingChannel
from taskcert.client import ExecutionClient
from taskcert.credentials import TaskCredentials
from taskcert.errors import TaskcertError
from taskcert.hardening import make_undumpable
from taskcert.heartbeat import HeartbeatLoop
from taskcert.renewal import CredentialRotator, RenewalListener, RenewalPolicy

log = logging.getLogger(__name__)


class TaskSession:
    """One try's credentials and client; open with :meth:`open`, use as a context manager."""

    def __init__(self, credentials: TaskCredentials, execution_target: str, timeout: float,
                 policy: RenewalPolicy, interceptors: Sequence[Any]) -> None:
        self._channel = RotatingChannel(execution_target, credentials, interceptors)
        self._caller = Caller(self._channel, timeout)
        self.client = ExecutionClient(self._caller)
        self.renewals = CredentialRotator(credentials, self._channel, timeout, policy)
        self._heartbeats: Optional[HeartbeatLoop] = None

    @classmethod
    def open(cls, execution_target: str, enrollment_target: str, trust_bundle_pem: bytes, token: str,
             timeout: float = 10.0, renewal: RenewalPolicy = RenewalPolicy(), harden: bool = True,
             interceptors: Sequence[Any] = ()) -> "TaskSession":
        """Makes a key in memory, enrolls with the try's single-use ``token`` and starts renewing.

        ``trust_bundle_pem`` holds the roots that the server's certificate chains to (the CA's
        ``bundle.pem``). ``harden`` first makes the process undumpable (see
        :func:`taskcert.hardening.make_undumpable`). ``interceptors`` are grpc client interceptors
        applied to every execution call. Enrollment is not retried: raises a
        :class:`taskcert.errors.TaskcertError` (``NotAuthenticated`` for an unknown or used token).
        """
        if harden:
            make_undumpable()
        credentials_module.load_trust_bundle(trust_bundle_pem)
        credentials = credentials_module.enroll(enrollment_target, trust_bundle_pem, token, timeout)
        log.info("enrolled as %s, certificate serial %s, valid until %s",
                 credentials.spiffe_id, credentials.serial_hex, credentials.not_after)
        session = cls(credentials, execution_target, timeout, renewal, interceptors)
        session.renewals.start()
        return session

    @property
    def credentials(self) -> TaskCredentials:
        """The credentials in force now."""
        return self.renewals.current

    @property
    def renewal_stopped(self) -> Optional[TaskcertError]:
        """Why renewal stopped for good (the try ended or its certificate was refused), or None."""
        return self.renewals.ended

    def renew_now(self) -> TaskCredentials:
        """Renews at once (say, right after forking the task) and routes new calls to the new key."""
        return self.renewals.renew_now()

    def add_renewal_listener(self, listener: RenewalListener) -> None:
        """Adds a listener for renewals, failed attempts and the end of renewal."""
        self.renewals.add_listener(listener)

    def start_heartbeats(self, hostname: str, pid: int, interval: float,
                         on_try_ended: Callable[[TaskcertError], None],
                         on_failure: Optional[Callable[[TaskcertError], None]] = None) -> HeartbeatLoop:
        """Heartbeats from ``hostname``/``pid`` (those given to ``start``) until the session closes."""
        loop = HeartbeatLoop(self.client.task_instances, hostname, pid, interval, on_try_ended, on_failure)
        self._heartbeats = loop
        return loop.start()

    def close(self) -> None:
        """Stops heartbeats and renewal, then closes the channel once its calls have returned."""
        if self._heartbeats is not None:
            self._heartbeats.close()
        self.renewals.close()
        self._channel.close()

    def __enter__(self) -> "TaskSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

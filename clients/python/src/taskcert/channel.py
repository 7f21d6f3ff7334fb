"""A mutual-TLS channel whose certificate is swapped without failing a call.

grpc's Python channels cancel the calls they carry when closed, so a rotation cannot simply close
the old channel. Each channel is a *generation* that counts the calls leased on it: a rotation
opens the next generation, routes every new call to it at once, and closes the old one only when
its last call has returned.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Dict, Iterator, Optional, Sequence

import grpc

from taskcert.credentials import TaskCredentials

#: How long a rotation waits for the new channel's handshake before routing calls to it anyway.
CONNECT_WAIT_SECONDS = 5.0


class _Generation:
    """One channel, the stubs made on it, and how many calls are using it."""

    def __init__(self, target: str, credentials: TaskCredentials, interceptors: Sequence[Any]) -> None:
        self.raw = grpc.secure_channel(target, credentials.channel_credentials())
        self.channel = grpc.intercept_channel(self.raw, *interceptors) if interceptors else self.raw
        self.serial_hex = credentials.serial_hex
        self.stubs: Dict[type, Any] = {}
        self.leases = 0
        self.retired = False

    def stub(self, stub_class: type) -> Any:
        """A stub of ``stub_class`` on this generation's channel, made once."""
        stub = self.stubs.get(stub_class)
        if stub is None:
            stub = self.stubs[stub_class] = stub_class(self.channel)
        return stub

    def connect(self, timeout: float) -> None:
        """Starts the handshake now rather than on the first call; gives up silently at ``timeout``."""
        ready = grpc.channel_ready_future(self.raw)
        try:
            ready.result(timeout=timeout)
        except grpc.FutureTimeoutError:
            ready.cancel()

    def close(self) -> None:
        """Closes the channel (its calls have all returned)."""
        self.raw.close()


class RotatingChannel:
    """Calls go through the newest channel; :meth:`rotate` swaps it atomically."""

    def __init__(self, target: str, credentials: TaskCredentials, interceptors: Sequence[Any] = ()) -> None:
        self._target = target
        self._interceptors = tuple(interceptors)
        self._lock = threading.Lock()
        self._closed = False
        self._current = _Generation(target, credentials, self._interceptors)

    @property
    def target(self) -> str:
        """``host:port`` of the execution port."""
        return self._target

    @contextlib.contextmanager
    def lease(self) -> Iterator[_Generation]:
        """The current generation, kept open until the block ends (use its ``stub`` or ``channel``)."""
        with self._lock:
            if self._closed:
                raise ValueError("the session is closed")
            generation = self._current
            generation.leases += 1
        try:
            yield generation
        finally:
            self._release(generation)

    def _release(self, generation: _Generation) -> None:
        with self._lock:
            generation.leases -= 1
            close = generation.retired and generation.leases == 0
        if close:
            generation.close()

    def rotate(self, credentials: TaskCredentials) -> None:
        """Routes new calls to a channel presenting ``credentials``; the old one closes when idle."""
        fresh = _Generation(self._target, credentials, self._interceptors)
        fresh.connect(CONNECT_WAIT_SECONDS)
        with self._lock:
            if self._closed:
                retired: Optional[_Generation] = fresh
            else:
                retired, self._current = self._current, fresh
            retired.retired = True
            close = retired.leases == 0
        if close:
            retired.close()

    def serial_hex(self) -> str:
        """The serial of the certificate new calls present."""
        with self._lock:
            return self._current.serial_hex

    def close(self) -> None:
        """Closes the current channel once its calls have returned; later leases fail."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            current = self._current
            current.retired = True
            close = current.leases == 0
        if close:
            current.close()

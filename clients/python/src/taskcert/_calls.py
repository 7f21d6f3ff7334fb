"""One RPC over the rotating channel, with the deadline, the error mapping and the retry rule."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Tuple

import grpc

from taskcert.channel import RotatingChannel
from taskcert.errors import Unavailable, from_rpc_error

#: Attempts of an idempotent call that failed with UNAVAILABLE, and the pauses between them.
ATTEMPTS = 3
PAUSES_SECONDS = (0.1, 0.3)

#: Every (service, method) a client method calls, filled in by :func:`rpc`: service full name ->
#: method name -> the Python qualified name that calls it.
RPC_METHODS: Dict[str, Dict[str, str]] = {}


def rpc(service: str, method: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Records that the decorated client method calls ``service/method``."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        RPC_METHODS.setdefault(service, {})[method] = function.__qualname__
        return function

    return register


class Caller:
    """Makes calls through a :class:`RotatingChannel`, each with the same deadline."""

    def __init__(self, channel: RotatingChannel, timeout: float) -> None:
        self._channel = channel
        self.timeout = timeout

    def call(self, stub_class: type, method: str, request: Any, idempotent: bool = True) -> Any:
        """Calls ``method`` of ``stub_class`` with ``request``; raises a TaskcertError subclass.

        Only an idempotent call is retried, and only on UNAVAILABLE (the server could not be
        reached): nothing else, DEADLINE_EXCEEDED included, is retried, and no refusal ever is.
        """
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._channel.lease() as generation:
                    return getattr(generation.stub(stub_class), method)(request, timeout=self.timeout)
            except grpc.RpcError as error:
                failure = from_rpc_error(error)
            if not (idempotent and attempt < ATTEMPTS and isinstance(failure, Unavailable)
                    and failure.code == grpc.StatusCode.UNAVAILABLE):
                raise failure
            time.sleep(PAUSES_SECONDS[attempt - 1])
        raise AssertionError("unreachable")


def covered() -> Tuple[Tuple[str, str], ...]:
    """Every (service, method) some client method calls."""
    return tuple(sorted((service, method) for service, methods in RPC_METHODS.items() for method in methods))

"""Why a call failed: one exception class per thing a supervisor would do about it.

Every exception carries the gRPC status code and the server's reason (the status details), and
never anything else: no request, no certificate, no key.
"""

from __future__ import annotations

from typing import Optional

import grpc


class TaskcertError(Exception):
    """A call to the server failed; ``code`` is the status, ``reason`` the server's description."""

    def __init__(self, code: Optional[grpc.StatusCode], reason: str) -> None:
        self.code = code
        self.reason = reason
        name = code.name if code is not None else "ERROR"
        super().__init__(f"{name}: {reason}" if reason else name)


class PermissionDenied(TaskcertError):
    """Another team's resource, or one the DAG did not declare: do not ask again."""


class TaskNotLive(TaskcertError):
    """The try finished, was superseded, is not in a state the call allows, or the host/pid differ: stop the task."""


class NotAuthenticated(TaskcertError):
    """The certificate expired or was revoked, or the enrollment token is unknown, used or expired."""


class InvalidRequest(TaskcertError):
    """Malformed or oversized input: a bug in the caller."""


class NotFound(TaskcertError):
    """The variable, connection or XCom does not exist."""


class Unavailable(TaskcertError):
    """The server or its database could not be reached in time: try again later."""


class Failed(TaskcertError):
    """Any other failure."""


class ConfigurationError(TaskcertError):
    """The local setup is unusable (an unreadable trust bundle, a bad target): nothing was sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(None, reason)


_BY_CODE = {
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.FAILED_PRECONDITION: TaskNotLive,
    grpc.StatusCode.UNAUTHENTICATED: NotAuthenticated,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidRequest,
    grpc.StatusCode.OUT_OF_RANGE: InvalidRequest,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: Unavailable,
    grpc.StatusCode.RESOURCE_EXHAUSTED: Unavailable,
}

#: The refusals after which a try can do nothing more: renewal and heartbeats stop on them.
TRY_ENDED = (TaskNotLive, NotAuthenticated, PermissionDenied)


def from_rpc_error(error: grpc.RpcError) -> TaskcertError:
    """Maps a failed gRPC call to the matching exception, keeping the server's reason."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    return _BY_CODE.get(code, Failed)(code, details or "")

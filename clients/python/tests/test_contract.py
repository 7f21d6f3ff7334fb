"""The client covers the whole Execution API, and errors map onto the typed hierarchy."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Set, Tuple

import grpc

import taskcert
import taskcert.execution.v1
from taskcert import _calls, client, cross_dag, errors


def execution_rpcs() -> Set[Tuple[str, str]]:
    """Every (service, method) the installed stubs of ``taskcert.execution.v1`` declare."""
    found = set()
    for module_info in pkgutil.iter_modules(taskcert.execution.v1.__path__):
        if not module_info.name.endswith("_pb2"):
            continue
        module = importlib.import_module("taskcert.execution.v1." + module_info.name)
        for service in module.DESCRIPTOR.services_by_name.values():
            found.update((service.full_name, method.name) for method in service.methods)
    return found


def test_every_execution_rpc_has_a_client_method() -> None:
    declared = execution_rpcs()
    assert len(declared) >= 19, declared
    missing = declared - set(_calls.covered())
    assert not missing, f"RPCs of taskcert.execution.v1 without a client method: {sorted(missing)}"


def test_every_registered_method_exists_on_its_family() -> None:
    families = {
        "TaskInstanceOperations": client.TaskInstanceOperations,
        "VariableOperations": client.VariableOperations,
        "ConnectionOperations": client.ConnectionOperations,
        "XComOperations": client.XComOperations,
        "AssetOperations": client.AssetOperations,
        "AssetEventOperations": client.AssetEventOperations,
        "TaskStoreOperations": client.TaskStoreOperations,
        "AssetStoreOperations": client.AssetStoreOperations,
        "HITLOperations": client.HITLOperations,
        "DagRunOperations": cross_dag.DagRunOperations,
        "DagOperations": cross_dag.DagOperations,
        "TaskInstanceQueryOperations": client.TaskInstanceOperations,
        "TaskRescheduleOperations": cross_dag.TaskRescheduleOperations,
    }
    for methods in _calls.RPC_METHODS.values():
        for qualified_name in methods.values():
            family, method = qualified_name.split(".")
            assert callable(getattr(families[family], method)), qualified_name


def test_airflow_shaped_families() -> None:
    expected = {
        client.TaskInstanceOperations: {"start", "finish", "defer", "reschedule", "heartbeat", "skip_downstream",
                                        "set_rtif", "get_previous_successful_dagrun", "validate_inlets_and_outlets"},
        client.VariableOperations: {"get", "set", "delete", "keys"},
        client.ConnectionOperations: {"get"},
        client.XComOperations: {"get", "set", "delete", "get_item", "get_slice", "count"},
        client.AssetOperations: {"get"},
        client.AssetEventOperations: {"get"},
        client.TaskStoreOperations: {"get", "set", "delete", "clear"},
        client.AssetStoreOperations: {"get", "set", "delete", "clear"},
        client.HITLOperations: {"add_response", "update_response", "get_detail_response"},
        cross_dag.DagRunOperations: {"trigger", "clear", "get_state", "get_count", "get_previous", "get_detail"},
        cross_dag.DagOperations: {"get_state"},
        cross_dag.TaskRescheduleOperations: {"get_start_date"},
    }
    expected[client.TaskInstanceOperations] |= {"get_count", "get_task_states", "get_previous",
                                                "get_task_breadcrumbs", "set_rendered_map_index",
                                                "skip_downstream_tasks"}
    for family, names in expected.items():
        assert names <= {name for name in dir(family) if not name.startswith("_")}, family


class _FakeRpcError(grpc.RpcError):
    """A failed call as grpc reports it: a status code and the server's details."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code = code
        self._details = details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def test_statuses_map_to_typed_exceptions_with_the_servers_reason() -> None:
    cases = {
        grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
        grpc.StatusCode.FAILED_PRECONDITION: errors.TaskNotLive,
        grpc.StatusCode.UNAUTHENTICATED: errors.NotAuthenticated,
        grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidRequest,
        grpc.StatusCode.OUT_OF_RANGE: errors.InvalidRequest,
        grpc.StatusCode.NOT_FOUND: errors.NotFound,
        grpc.StatusCode.UNAVAILABLE: errors.Unavailable,
        grpc.StatusCode.DEADLINE_EXCEEDED: errors.Unavailable,
        grpc.StatusCode.RESOURCE_EXHAUSTED: errors.Unavailable,
        grpc.StatusCode.INTERNAL: errors.Failed,
        grpc.StatusCode.UNKNOWN: errors.Failed,
    }
    for code, expected in cases.items():
        error = errors.from_rpc_error(_FakeRpcError(code, "the reason"))
        assert type(error) is expected, code
        assert isinstance(error, taskcert.TaskcertError)
        assert error.code == code
        assert error.reason == "the reason"
        assert str(error) == f"{code.name}: the reason"


def test_the_installed_package_is_under_test() -> None:
    """The suite runs against an installed wheel (stubs generated at build time), not the sources."""
    assert "site-packages" in taskcert.__file__.replace("\\", "/").split("/"), taskcert.__file__

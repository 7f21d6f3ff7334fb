"""A try end to end against the real server: enroll, every RPC, refusals across teams."""

from __future__ import annotations

import datetime
import getpass
import os
import socket
import threading
from typing import Any, Callable, Set

import grpc
import pytest

import taskcert
from taskcert.admin.v1 import admin_pb2
from taskcert.admin.v1 import assets_pb2 as admin_assets_pb2

from test_contract import execution_rpcs

HOST = socket.gethostname()
PID = os.getpid()


class RecordingInterceptor(grpc.UnaryUnaryClientInterceptor):
    """Records the full method name of every call that got an answer (OK or not)."""

    def __init__(self) -> None:
        self.methods: Set[str] = set()
        self._lock = threading.Lock()

    def intercept_unary_unary(self, continuation: Callable[..., Any], client_call_details: Any, request: Any) -> Any:
        outcome = continuation(client_call_details, request)
        with self._lock:
            self.methods.add(client_call_details.method.strip("/"))
        return outcome


def test_enroll_start_read_finish(server, queue, open_session) -> None:
    queued = queue("analytics")
    session = open_session(queued.token)
    assert session.credentials.spiffe_id == queued.spiffe_id
    assert "private_key" not in repr(session.credentials)

    started = session.client.task_instances.start(HOST, PID, getpass.getuser())
    assert started.dag_run.dag_id == queued.dag_id
    assert started.dag_run.run_id == server.run_id
    assert started.try_number == queued.try_number

    own = session.client.variables.get(server.teams["analytics"]["variable"])
    assert own.team == "analytics"
    assert own.value == "s3://analytics-raw-events"
    shared = session.client.variables.get(server.global_variable)
    assert (shared.team, shared.value) == ("", "dev")

    assert session.client.task_instances.finish("success") == "success"
    # Reads stay open for the post-terminal grace (Airflow's finalization); writes of variables do not.
    assert session.client.variables.get(server.global_variable).value == "dev"
    with pytest.raises(taskcert.TaskNotLive):
        session.client.variables.set(server.teams["analytics"]["variable"], "changed")


def test_a_used_token_is_refused(server, queue, open_session) -> None:
    queued = queue("analytics")
    open_session(queued.token)
    with pytest.raises(taskcert.NotAuthenticated) as refused:
        open_session(queued.token)
    assert refused.value.reason


def test_every_rpc_at_least_once(server, admin, asset_admin, queue, open_session) -> None:
    recorder = RecordingInterceptor()
    team = "analytics"
    admin.SetConnection(admin_pb2.AdminSetConnectionRequest(
        conn_id="py_warehouse", team=team, conn_type="postgres", host="db.analytics.example", schema="events",
        login="loader", password="s3cret", port=5432, extra_json='{"sslmode": "require"}'), timeout=10)

    # Two mapped tries leave values for the item, slice and count reads.
    mapped_task = "py_mapped_" + os.urandom(4).hex()
    for index in (0, 1):
        mapped = open_session(queue(team, mapped_task, index).token, interceptors=[recorder])
        mapped.client.task_instances.start(HOST, PID)
        mapped.client.xcoms.set("return_value", {"index": index}, mapped_length=2)
        mapped.client.task_instances.finish("success")

    main_try = queue(team)
    main = open_session(main_try.token, interceptors=[recorder])
    ti = main.client.task_instances
    ti.start(HOST, PID, getpass.getuser())
    assert ti.heartbeat(HOST, PID) == "running"
    ti.set_rtif({"sql": "select 1"})
    # The DAG declares no structure: only a queued task instance of the run that exists is skipped,
    # and an invented task id creates nothing.
    waiting = queue(team)
    assert ti.skip_downstream([waiting.task_id, "py_invented_" + os.urandom(4).hex()]) == 1
    previous = ti.get_previous_successful_dagrun()
    assert previous is None or previous.dag_id == server.teams[team]["dag_id"]

    # Other task instances and dag runs of the caller's own team's DAG; the own try's details.
    dag_id = server.teams[team]["dag_id"]
    assert ti.get_count(dag_id, run_ids=[server.run_id], task_ids=[waiting.task_id], states=["skipped"]) == 1
    assert ti.get_task_states(dag_id, run_ids=[server.run_id])[server.run_id][waiting.task_id] == "skipped"
    assert ti.get_previous(dag_id, waiting.task_id).run_id == server.run_id
    assert ti.get_task_breadcrumbs(dag_id, server.run_id)[0].state in ("success", "skipped", "failed", "removed")
    assert ti.skip_downstream_tasks([(waiting.task_id, -1)]) == 0
    ti.set_rendered_map_index("py-rendered")
    assert main.client.task_reschedules.get_start_date() is None
    runs = main.client.dag_runs
    assert runs.get_state(dag_id, server.run_id) == runs.get_detail(dag_id, server.run_id).state
    assert runs.get_count(dag_id, run_ids=[server.run_id]) == 1
    assert runs.get_previous(dag_id, datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)) is None
    assert main.client.dags.get_state(dag_id) is False
    triggered = "manual__py_" + os.urandom(4).hex()
    assert runs.trigger(dag_id, triggered, conf={"from": "python"}) == "created"
    assert runs.trigger(dag_id, triggered) == "already_exists"
    assert runs.trigger(dag_id, triggered, reset_dag_run=True) == "cleared"
    assert runs.clear(dag_id, triggered) == 0
    assert runs.get_detail(dag_id, triggered).conf == {"from": "python"}
    with pytest.raises(taskcert.NotFound):
        runs.get_state("py_no_such_dag", server.run_id)

    variables = main.client.variables
    key = "analytics_py_" + os.urandom(4).hex()
    variables.set(key, "v1", "written by the Python client test")
    assert variables.get(key).value == "v1"
    assert key in variables.keys(prefix="analytics_py_", page_size=1)
    assert variables.delete(key) is True
    assert variables.delete(key) is False

    connection = main.client.connections.get("py_warehouse")
    assert (connection.host, connection.port, connection.password) == ("db.analytics.example", 5432, "s3cret")
    assert connection.extra == {"sslmode": "require"}
    assert "s3cret" not in repr(connection)

    xcoms = main.client.xcoms
    xcoms.set("rows", {"rows": 42})
    own_task = main_try.task_id
    read = xcoms.get(own_task, "rows")
    assert (read.value, read.map_index) == ({"rows": 42}, -1)
    assert xcoms.get_item(mapped_task, 1).value == {"index": 1}
    assert xcoms.get_item(mapped_task, -1).value == {"index": 1}
    assert xcoms.get_slice(mapped_task, 0) == [{"index": 0}, {"index": 1}]
    assert xcoms.get_slice(mapped_task, 0, stop=1) == [{"index": 0}]
    # Python's slice semantics: unset bounds, a negative step, negative bounds.
    assert xcoms.get_slice(mapped_task, step=-1) == [{"index": 1}, {"index": 0}]
    assert xcoms.get_slice(mapped_task, stop=-1, step=-1) == []
    assert xcoms.get_slice(mapped_task, -1, 0, -1) == [{"index": 1}]
    assert xcoms.get_slice(mapped_task, include_prior_dates=True) == [{"index": 0}, {"index": 1}]
    assert xcoms.get_item(mapped_task, -2, include_prior_dates=True).value == {"index": 0}
    with pytest.raises(ValueError):
        xcoms.get_slice(mapped_task, step=0)
    xcoms.set("expansion", [], mapped_length=0, dag_result=True)
    assert xcoms.get(own_task, "expansion").value == []
    assert xcoms.count(mapped_task) == taskcert.XComCount(count=2, map_indexes=(0, 1))
    assert xcoms.get(mapped_task, map_index=0).value == {"index": 0}
    assert xcoms.delete("rows") is True
    with pytest.raises(taskcert.NotFound):
        xcoms.get(own_task, "rows")
    assert ti.finish("success") == "success"

    deferred = open_session(queue(team).token, interceptors=[recorder])
    deferred.client.task_instances.start(HOST, PID)
    deferred.client.task_instances.defer(
        "airflow.triggers.temporal.DateTimeTrigger", {"moment": "2030-01-01T00:00:00+00:00"}, "execute_complete")
    with pytest.raises(taskcert.TaskNotLive):
        deferred.client.task_instances.heartbeat(HOST, PID)

    rescheduled = open_session(queue(team).token, interceptors=[recorder])
    rescheduled.client.task_instances.start(HOST, PID)
    rescheduled.client.task_instances.reschedule(
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    with pytest.raises(taskcert.TaskNotLive):
        rescheduled.client.task_instances.finish("success")

    # Assets, asset events, the state stores and human in the loop.
    asset_name = "py_asset_" + os.urandom(4).hex()
    asset_admin.RegisterAsset(admin_assets_pb2.RegisterAssetRequest(
        name=asset_name, uri="s3://" + asset_name, team=team), timeout=10)
    producer_try = queue(team)
    producer = open_session(producer_try.token, interceptors=[recorder])
    pti = producer.client.task_instances
    pti.start(HOST, PID)
    absent = "py_absent_" + asset_name
    assert pti.validate_inlets_and_outlets(inlets=[(absent, "")], outlets=[(asset_name, "")]) == [(absent, "")]
    assert producer.client.assets.get(name=asset_name).uri == "s3://" + asset_name
    assert producer.client.assets.get(uri="s3://" + asset_name).name == asset_name
    with pytest.raises(taskcert.NotFound):
        producer.client.assets.get(name=absent)
    task_store = producer.client.task_store
    task_store.set("cursor", {"offset": 3})
    assert task_store.get("cursor") == {"offset": 3}
    assert task_store.delete("cursor") is True
    task_store.set("cursor", 1)
    assert task_store.clear() == 1
    asset_store = producer.client.asset_store
    asset_store.set("watermark", "2026-11-25", name=asset_name)
    assert asset_store.get("watermark", uri="s3://" + asset_name) == "2026-11-25"
    assert asset_store.delete("watermark", name=asset_name) is True
    assert asset_store.clear(name=asset_name) == 0
    hitl = producer.client.hitl
    assert hitl.add_response(["approve", "reject"], "Ship it?", defaults=["reject"]).options == ("approve", "reject")
    assert hitl.get_detail_response().response_received is False
    answered = hitl.update_response(["approve"], {"note": "ok"})
    assert (answered.chosen_options, answered.params_input) == (("approve",), {"note": "ok"})
    alias = "py_alias_" + asset_name
    assert pti.finish("success", outlets=[taskcert.AssetOutlet(name=asset_name, extra={"rows": 5}, alias=alias)]) \
        == "success"
    reader = open_session(queue(team).token, interceptors=[recorder])
    reader.client.task_instances.start(HOST, PID)
    events = reader.client.asset_events.get(name=asset_name)
    assert [(event.asset.name, event.extra) for event in events] == [(asset_name, {"rows": 5})]
    assert (events[0].source_dag_id, events[0].source_task_id) == (producer_try.dag_id, producer_try.task_id)
    assert reader.client.asset_events.get(uri="s3://" + asset_name, ascending=False, limit=1) == events
    assert reader.client.asset_events.get(alias_name=alias) == events
    assert reader.client.asset_events.get(name=asset_name, after=events[0].timestamp + datetime.timedelta(seconds=1)) == []

    declared = {f"{service}/{method}" for service, method in execution_rpcs()}
    assert declared - recorder.methods == set()


def test_cross_team_refusals_in_both_directions(server, queue, open_session) -> None:
    analytics_try, payments_try = queue("analytics"), queue("payments")
    analytics = open_session(analytics_try.token)
    payments = open_session(payments_try.token)
    analytics.client.task_instances.start(HOST, PID)
    payments.client.task_instances.start(HOST, PID)

    # Another team's variable reads exactly as an absent one: the caller learns nothing of it.
    for reader, other in ((analytics, "payments"), (payments, "analytics")):
        key = server.teams[other]["variable"]
        with pytest.raises(taskcert.NotFound) as refused:
            reader.client.variables.get(key)
        assert refused.value.reason == f"variable '{key}' not found"
        assert refused.value.code == grpc.StatusCode.NOT_FOUND

    analytics.client.xcoms.set("secret_rows", {"rows": 1})
    analytics_task = analytics_try.task_id
    with pytest.raises(taskcert.NotFound):
        payments.client.xcoms.get(analytics_task, "secret_rows", dag_id=server.teams["analytics"]["dag_id"],
                                  run_id=server.run_id)
    payments.client.xcoms.set("ledger", {"total": 7})
    payments_task = payments_try.task_id
    with pytest.raises(taskcert.NotFound):
        analytics.client.xcoms.get(payments_task, "ledger", dag_id=server.teams["payments"]["dag_id"],
                                   run_id=server.run_id)
    # Each still reads its own team's values.
    assert analytics.client.xcoms.get(analytics_task, "secret_rows").value == {"rows": 1}
    assert payments.client.variables.get(server.teams["payments"]["variable"]).team == "payments"


def test_renew_now_moves_the_session_to_a_new_key(server, queue, open_session) -> None:
    session = open_session(queue("analytics").token)
    session.client.task_instances.start(HOST, PID)
    before = session.credentials
    renewed = session.renew_now()
    assert renewed.serial_hex != before.serial_hex
    assert renewed.private_key.private_numbers() != before.private_key.private_numbers()
    assert session.credentials is renewed
    assert session.client.variables.get(server.global_variable).value == "dev"


def test_unavailable_is_retried_for_idempotent_calls_only(server, queue, open_session) -> None:
    from taskcert._calls import ATTEMPTS, Caller
    from taskcert.channel import RotatingChannel
    from taskcert.execution.v1 import variables_pb2, variables_pb2_grpc

    session = open_session(queue("analytics").token)
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    for idempotent, attempts in ((True, ATTEMPTS), (False, 1)):
        recorder = RecordingCounter()
        channel = RotatingChannel(f"127.0.0.1:{closed_port}", session.credentials, [recorder])
        try:
            with pytest.raises(taskcert.Unavailable) as failure:
                Caller(channel, 5).call(variables_pb2_grpc.VariablesStub, "GetVariable",
                                        variables_pb2.GetVariableRequest(key=server.global_variable), idempotent)
        finally:
            channel.close()
        assert failure.value.code == grpc.StatusCode.UNAVAILABLE
        assert recorder.calls == attempts, (idempotent, recorder.calls)


class RecordingCounter(grpc.UnaryUnaryClientInterceptor):
    """Counts the attempts made through a channel."""

    def __init__(self) -> None:
        self.calls = 0

    def intercept_unary_unary(self, continuation: Callable[..., Any], client_call_details: Any, request: Any) -> Any:
        self.calls += 1
        return continuation(client_call_details, request)

"""The task lifecycle as Airflow runs it: run context, same-try resume after deferral, finishing details."""

from __future__ import annotations

import datetime
import os
import socket

import pytest

import taskcert
from taskcert.admin.v1 import admin_pb2

HOST = socket.gethostname()
PID = os.getpid()


def test_start_returns_airflows_run_context(queue, open_session) -> None:
    queued = queue("analytics")
    started = open_session(queued.token).client.task_instances.start(HOST, PID)
    assert started.max_tries == 2  # retries, Airflow's meaning
    assert started.should_retry is True
    assert started.execution_generation == 1
    assert started.task_reschedule_count == 0
    assert started.next_method is None
    assert started.dag_run.state == "running"
    assert started.dag_run.run_after is not None
    assert started.start_date is not None


def test_a_deferred_try_resumes_as_the_same_try_and_its_old_key_stays_dead(server, admin, queue, open_session) -> None:
    queued = queue("analytics")
    first = open_session(queued.token)
    first.client.task_instances.start(HOST, PID)
    first.client.task_instances.defer("airflow.triggers.temporal.DateTimeTrigger", trigger_kwargs="gAAAAA-sealed",
                                      next_method="execute_complete", next_kwargs={"event": 1}, queue="default")

    resumed = admin.ResumeTaskInstance(admin_pb2.ResumeTaskInstanceRequest(
        task_try=queued.ref(), task_instance_id="0190f3c2-7b1e-7c3a-9d2e-5a6b7c8d9e0f"), timeout=10)
    assert resumed.try_number == queued.try_number
    assert resumed.execution_generation == 2

    second = open_session(resumed.enrollment_token)
    started = second.client.task_instances.start(HOST, PID)
    assert started.try_number == queued.try_number
    assert started.next_method == "execute_complete"
    assert started.next_kwargs == {"event": 1}
    assert started.task_instance_id == "0190f3c2-7b1e-7c3a-9d2e-5a6b7c8d9e0f"
    assert started.execution_generation == 2

    with pytest.raises(taskcert.NotAuthenticated):
        first.client.variables.get(server.global_variable)
    assert second.client.variables.get(server.global_variable).value
    assert second.client.task_instances.finish("success", rendered_map_index="day=1") == "success"
    # Within the post-terminal grace the finished try may still read its variables.
    assert second.client.variables.get(server.global_variable).value


def test_finishing_details(queue, open_session) -> None:
    retrying = open_session(queue("analytics").token)
    retrying.client.task_instances.start(HOST, PID)
    with pytest.raises(taskcert.InvalidRequest):
        retrying.client.task_instances.finish("failed", retry_reason="only with up_for_retry")
    assert retrying.client.task_instances.finish(
        "up_for_retry", retry_delay=datetime.timedelta(minutes=5), retry_reason="flaky") == "up_for_retry"

    upstream = open_session(queue("analytics").token)
    upstream.client.task_instances.start(HOST, PID)
    assert upstream.client.task_instances.finish("upstream_failed") == "upstream_failed"

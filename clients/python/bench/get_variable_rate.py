"""Authorized GetVariable calls per second from one taskcert session and N caller threads.

Reads the enrollment token on standard input, opens a session, starts the try, lets ``--callers``
threads call ``client.variables.get`` in a closed loop for ``--warmup`` seconds and then for
``--seconds`` more, and prints one JSON object: callers, calls, seconds, failures, calls_per_second.
Run by the bench module's PythonClientComparison next to the Java client.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import List

import taskcert


def measure(session: taskcert.TaskSession, key: str, callers: int, warmup: float, seconds: float) -> dict:
    counting = threading.Event()
    stop = threading.Event()
    calls: List[int] = [0] * callers
    failures: List[int] = [0] * callers

    def loop(index: int) -> None:
        variables = session.client.variables
        while not stop.is_set():
            try:
                variables.get(key)
            except taskcert.TaskcertError:
                failures[index] += 1
                continue
            if counting.is_set():
                calls[index] += 1

    threads = [threading.Thread(target=loop, args=(index,), daemon=True) for index in range(callers)]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    counting.set()
    started = time.monotonic()
    time.sleep(seconds)
    counted = sum(calls)
    elapsed = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join()
    return {"callers": callers, "calls": counted, "seconds": elapsed, "failures": sum(failures),
            "calls_per_second": counted / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execution-target", required=True)
    parser.add_argument("--enrollment-target", required=True)
    parser.add_argument("--trust-bundle", required=True)
    parser.add_argument("--variable", required=True)
    parser.add_argument("--callers", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with open(args.trust_bundle, "rb") as stream:
        bundle = stream.read()
    token = sys.stdin.readline().strip()
    with taskcert.TaskSession.open(args.execution_target, args.enrollment_target, bundle, token) as session:
        session.client.task_instances.start("bench-worker", os.getpid(), "airflow")
        print(json.dumps(measure(session, args.variable, args.callers, args.warmup, args.seconds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

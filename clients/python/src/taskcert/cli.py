"""``taskcert-supervisor``: runs one task try (enroll, start, heartbeat, read variables, finish).

Exit status: 0 every read succeeded, 3 a read was refused with PERMISSION_DENIED (and nothing else
failed), 1 anything else, 2 bad usage (before the token is redeemed).
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from typing import List, Optional

from taskcert.client import TERMINAL_STATES
from taskcert.errors import NotFound, PermissionDenied, InvalidRequest, TaskcertError
from taskcert.session import TaskSession

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 3


def _out(line: str) -> None:
    print(line, flush=True)


def parse_args(argv: List[str]) -> argparse.Namespace:
    """The command line; argparse exits with status 2 on bad usage."""
    parser = argparse.ArgumentParser(
        prog="taskcert-supervisor",
        description="Runs one task try against a taskcert server: enroll, start, heartbeat, read variables, finish.",
        epilog="Exit status: 0 every read succeeded, 3 a read was refused (PERMISSION_DENIED), 1 anything else.")
    parser.add_argument("--enrollment-target", required=True, help="host:port of the enrollment port")
    parser.add_argument("--execution-target", required=True, help="host:port of the mutual-TLS execution port")
    parser.add_argument("--trust-bundle", required=True, help="PEM file of the roots to trust (the CA's bundle.pem)")
    token = parser.add_mutually_exclusive_group(required=True)
    token.add_argument("--token", help="the try's one-time enrollment token (visible in the command line; see --token-file)")
    token.add_argument("--token-file", metavar="PATH", help="read the token from this file, or standard input if '-'")
    parser.add_argument("--variable", dest="variables", action="append", default=[], metavar="KEY",
                        help="a variable key to read (repeatable)")
    parser.add_argument("--finish", type=str.lower, choices=TERMINAL_STATES, default="success",
                        help="terminal state to finish the try in (default success)")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline of each call in seconds (default 10)")
    parser.add_argument("--heartbeat-interval", type=float, default=5.0, help="seconds between heartbeats (default 5)")
    return parser.parse_args(argv)


def _read_token(args: argparse.Namespace) -> str:
    if args.token is not None:
        return args.token
    if args.token_file == "-":
        return sys.stdin.readline().strip()
    with open(args.token_file, encoding="ascii") as stream:
        return stream.read().strip()


def run(args: argparse.Namespace) -> int:
    """Runs the try and returns the exit status."""
    with open(args.trust_bundle, "rb") as stream:
        bundle = stream.read()
    hostname, pid = socket.gethostname(), os.getpid()
    refused = failed = 0
    with TaskSession.open(args.execution_target, args.enrollment_target, bundle, _read_token(args),
                          timeout=args.timeout) as session:
        credentials = session.credentials
        _out(f"enrolled as {credentials.spiffe_id}, certificate serial {credentials.serial_hex}, "
             f"valid until {credentials.not_after.isoformat()}")
        started = session.client.task_instances.start(hostname, pid, getpass.getuser())
        _out(f"started {started.dag_run.dag_id} / {started.dag_run.run_id}, try {started.try_number}"
             f" ({started.max_tries} retries)")
        session.start_heartbeats(hostname, pid, args.heartbeat_interval,
                                 lambda reason: _out(f"the server no longer accepts this try: {reason}"))
        for key in args.variables:
            try:
                variable = session.client.variables.get(key)
            except PermissionDenied as error:
                refused += 1
                _out(f"variable {key} refused: {error}")
                continue
            except (NotFound, InvalidRequest) as error:
                failed += 1
                _out(f"variable {key} failed: {error}")
                continue
            owner = f"team {variable.team}" if variable.team else "global"
            _out(f"variable {key} = {variable.value} ({owner})")
        _out(f"finished {session.client.task_instances.finish(args.finish).upper()}")
    if failed:
        return EXIT_FAILED
    return EXIT_REFUSED if refused else EXIT_OK


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``taskcert-supervisor``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except (TaskcertError, OSError) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return EXIT_FAILED

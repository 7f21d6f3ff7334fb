#!/usr/bin/env python3
"""A small taskcert supervisor in Python.

It runs one task try the way a real supervisor would:

1. makes the process undumpable (Linux), so other processes of the same Unix user cannot
   attach to it or read its memory;
2. generates an EC P-256 key in memory and a PKCS#10 request signed by it;
3. redeems the try's one-time enrollment token on the enrollment port (TLS, server
   authentication only) for a certificate chain and the trust bundle;
4. opens a mutual-TLS channel to the execution port presenting that key and chain;
5. starts the try, reads each --variable, and finishes the try.

It prints one line per step. Exit status: 0 when every read succeeded, 3 when at least one read
was refused with PERMISSION_DENIED (and nothing else went wrong), 1 on any other failure.

Needs grpcio, protobuf and cryptography, plus grpcio-tools unless the generated stubs of the
contract are already importable: the stubs are then generated from the .proto files at start,
into a temporary directory (or --stubs-dir).
"""

import argparse
import ctypes
import datetime
import glob
import importlib
import os
import pwd
import resource
import shutil
import socket
import sys
import tempfile
import time

sys.dont_write_bytecode = True

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 3

# The contract, as laid out in the repository; relative to this file.
DEFAULT_PROTO_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto", "src", "main", "proto"))

TERMINAL_STATES = ("SUCCESS", "FAILED", "SKIPPED", "UP_FOR_RETRY", "REMOVED")

# linux/prctl.h
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4

STUB_MODULES = (
    "taskcert.ca.v1.ca_pb2",
    "taskcert.ca.v1.ca_pb2_grpc",
    "taskcert.execution.v1.task_state_pb2",
    "taskcert.execution.v1.task_instances_pb2",
    "taskcert.execution.v1.task_instances_pb2_grpc",
    "taskcert.execution.v1.variables_pb2",
    "taskcert.execution.v1.variables_pb2_grpc",
)


class SetupError(Exception):
    """Something the supervisor needs before it can talk to the server is missing or broken."""


def out(line):
    print(line, flush=True)


# --- hardening -------------------------------------------------------------------------------

def make_undumpable():
    """Sets PR_SET_DUMPABLE=0 and a zero core-size limit; returns a line describing the result.

    With the dumpable flag off, the kernel refuses ptrace attach and /proc/<pid>/mem (and
    environ, maps, fd...) to other processes of the same Unix user, unless they hold
    CAP_SYS_PTRACE, and writes no core dump that would contain the key.
    """
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    if not sys.platform.startswith("linux"):
        return "hardening: not Linux, PR_SET_DUMPABLE not available; process memory stays readable by its user"
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.restype = ctypes.c_int
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        return "hardening: prctl(PR_SET_DUMPABLE, 0) failed: " + os.strerror(error)
    if prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0:
        return "hardening: PR_SET_DUMPABLE=0 did not take effect"
    return "hardening: PR_SET_DUMPABLE=0, core dumps off"


# --- generated stubs -------------------------------------------------------------------------

def _forget_stub_modules():
    for name in list(sys.modules):
        if name == "taskcert" or name.startswith("taskcert."):
            del sys.modules[name]


def _import_stubs():
    modules = {}
    for name in STUB_MODULES:
        modules[name.rsplit(".", 1)[1]] = importlib.import_module(name)
    return argparse.Namespace(**modules)


def generate_stubs(proto_dir, out_dir):
    """Compiles every .proto file under proto_dir/taskcert into Python modules in out_dir."""
    try:
        import grpc_tools
        from grpc_tools import protoc
    except ImportError as e:
        raise SetupError(
            "the generated stubs are not importable and grpc_tools is missing to generate them (" + str(e)
            + "); install grpcio-tools (Debian: python3-grpc-tools)")
    proto_dir = os.path.abspath(proto_dir)
    files = sorted(glob.glob(os.path.join(proto_dir, "taskcert", "**", "*.proto"), recursive=True))
    if not files:
        raise SetupError("no .proto files under " + os.path.join(proto_dir, "taskcert")
                         + "; point --proto-dir at the directory that contains taskcert/")
    arguments = ["grpc_tools.protoc", "-I" + proto_dir]
    # The well-known types (google/protobuf/timestamp.proto) ship inside grpc_tools.
    well_known = os.path.join(os.path.dirname(os.path.abspath(grpc_tools.__file__)), "_proto")
    if os.path.isfile(os.path.join(well_known, "google", "protobuf", "timestamp.proto")):
        arguments.append("-I" + well_known)
    arguments += ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir] + files
    status = protoc.main(arguments)
    if status != 0:
        raise SetupError("grpc_tools.protoc failed with status %d compiling %s" % (status, proto_dir))


def load_stubs(proto_dir, stubs_dir):
    """Imports the generated stubs, generating them first if needed.

    Returns (stubs, description, temporary directory to remove or None).
    """
    if stubs_dir:
        stubs_dir = os.path.abspath(stubs_dir)
        sys.path.insert(0, stubs_dir)
    try:
        stubs = _import_stubs()
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(stubs.ca_pb2.__file__)))))
        return stubs, "stubs: imported from " + root, None
    except ImportError:
        _forget_stub_modules()
    temporary = None
    if stubs_dir:
        os.makedirs(stubs_dir, exist_ok=True)
        target = stubs_dir
    else:
        temporary = tempfile.mkdtemp(prefix="taskcert-stubs-")
        target = temporary
        sys.path.insert(0, target)
    try:
        generate_stubs(proto_dir, target)
        importlib.invalidate_caches()
        try:
            stubs = _import_stubs()
        except (ImportError, TypeError) as e:
            raise SetupError("the stubs generated from " + proto_dir + " do not load with this protobuf runtime: "
                             + str(e) + "; install matching grpcio-tools and protobuf versions")
    except BaseException:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
        raise
    return stubs, "stubs: generated from " + os.path.abspath(proto_dir), temporary


# --- keys and certificates -------------------------------------------------------------------

def new_key_and_csr():
    """A fresh EC P-256 private key (in memory only) and a DER PKCS#10 request signed by it.

    The request only proves possession of the key: the server takes the identity from the task
    row, so the subject is a fixed placeholder.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "taskcert task")]))
           .sign(key, hashes.SHA256()))
    return key, csr.public_bytes(serialization.Encoding.DER)


def private_key_pem(key):
    """PKCS#8 PEM of the key, for grpc; it stays in this process's memory."""
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def der_to_pem(ders):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return b"".join(
        x509.load_der_x509_certificate(bytes(der)).public_bytes(serialization.Encoding.PEM) for der in ders)


def read_trust_bundle(path):
    try:
        with open(path, "rb") as f:
            pem = f.read()
    except OSError as e:
        raise SetupError("cannot read the trust bundle " + path + ": " + e.strerror)
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise SetupError(path + " holds no PEM certificate")
    return pem


# --- the task try ----------------------------------------------------------------------------

def timestamp_now():
    from google.protobuf import timestamp_pb2

    now = time.time_ns()
    return timestamp_pb2.Timestamp(seconds=now // 1_000_000_000, nanos=now % 1_000_000_000)


def describe(error):
    return "%s: %s" % (error.code().name, error.details())


def unix_user():
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def read_token(args):
    if args.token is not None:
        return args.token.strip()
    try:
        if args.token_file == "-":
            token = sys.stdin.readline()
        else:
            with open(args.token_file, "r", encoding="ascii") as f:
                token = f.readline()
    except (OSError, UnicodeDecodeError) as e:
        raise SetupError("cannot read the enrollment token from " + args.token_file + ": " + str(e))
    if not token.strip():
        raise SetupError("no enrollment token in " + args.token_file)
    return token.strip()


def run(args, stubs):
    """Enrolls, starts the try, reads the variables and finishes. Returns the exit status."""
    import grpc

    token = read_token(args)
    trust_bundle = read_trust_bundle(args.trust_bundle)
    key, csr_der = new_key_and_csr()
    out("key: generated EC P-256 key in memory")

    with grpc.secure_channel(args.enrollment_target, grpc.ssl_channel_credentials(root_certificates=trust_bundle)) as channel:
        enrolled = stubs.ca_pb2_grpc.EnrollmentStub(channel).Enroll(
            stubs.ca_pb2.EnrollRequest(enrollment_token=token, csr_der=csr_der), timeout=args.timeout)
    if not enrolled.certificate_chain_der or not enrolled.trust_bundle_der:
        raise SetupError("the CA answered without a certificate chain or trust bundle")
    not_after = datetime.datetime.fromtimestamp(enrolled.not_after.seconds, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    out("enrolled as %s, certificate serial %s, valid until %s" % (enrolled.spiffe_id, enrolled.serial_hex, not_after))

    credentials = grpc.ssl_channel_credentials(
        root_certificates=der_to_pem(enrolled.trust_bundle_der),
        private_key=private_key_pem(key),
        certificate_chain=der_to_pem(enrolled.certificate_chain_der))
    refused = 0
    failed = 0
    with grpc.secure_channel(args.execution_target, credentials) as channel:
        tasks = stubs.task_instances_pb2_grpc.TaskInstancesStub(channel)
        variables = stubs.variables_pb2_grpc.VariablesStub(channel)

        started = tasks.StartTask(stubs.task_instances_pb2.StartTaskRequest(
            hostname=socket.gethostname(), pid=os.getpid(), unix_user=unix_user(),
            start_date=timestamp_now()), timeout=args.timeout)
        out("started %s / %s, try %d of %d" % (
            started.dag_run.dag_id, started.dag_run.run_id, started.try_number, started.max_tries))

        for name in args.variables:
            try:
                variable = variables.GetVariable(stubs.variables_pb2.GetVariableRequest(key=name), timeout=args.timeout)
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.PERMISSION_DENIED:
                    refused += 1
                    out("variable %s refused: %s" % (name, describe(e)))
                elif e.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    failed += 1
                    out("variable %s failed: %s" % (name, describe(e)))
                else:
                    raise  # the try is no longer live or the server is unreachable: stop here
                continue
            owner = "team " + variable.team if variable.team else "global"
            out("variable %s = %s (%s)" % (name, variable.value, owner))

        state = stubs.task_state_pb2.TaskState.Value("TASK_STATE_" + args.finish)
        finished = tasks.FinishTask(stubs.task_instances_pb2.FinishTaskRequest(
            state=state, end_date=timestamp_now()), timeout=args.timeout)
        out("finished %s" % stubs.task_state_pb2.TaskState.Name(finished.state)[len("TASK_STATE_"):])
    if failed:
        return EXIT_FAILED
    return EXIT_REFUSED if refused else EXIT_OK


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, "%s: error: %s\n" % (self.prog, message))


def parse_args(argv):
    parser = _Parser(
        description="Runs one task try against a taskcert server: enroll, start, read variables, finish.",
        epilog="Exit status: 0 every read succeeded, 3 a read was refused (PERMISSION_DENIED), 1 anything else.")
    parser.add_argument("--enrollment-target", required=True, help="host:port of the enrollment port, e.g. localhost:7444")
    parser.add_argument("--execution-target", required=True, help="host:port of the mutual-TLS execution port, e.g. localhost:7443")
    parser.add_argument("--trust-bundle", required=True, help="PEM file of the root certificates to trust (the CA's bundle.pem)")
    token = parser.add_mutually_exclusive_group(required=True)
    token.add_argument("--token", help="the task try's one-time enrollment token (visible to other local users "
                                       "in the process's command line while it runs; see --token-file)")
    token.add_argument("--token-file", metavar="PATH",
                       help="read the enrollment token from this file, or from standard input if PATH is '-'")
    parser.add_argument("--variable", dest="variables", action="append", default=[], metavar="KEY",
                        help="a variable key to read (repeatable)")
    parser.add_argument("--finish", choices=TERMINAL_STATES, default="SUCCESS",
                        help="terminal state to finish the try in (default SUCCESS)")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline of each call in seconds (default 10)")
    parser.add_argument("--proto-dir", default=DEFAULT_PROTO_DIR,
                        help="directory holding taskcert/**/*.proto, used when the stubs must be generated "
                             "(default: the repository's proto/src/main/proto)")
    parser.add_argument("--stubs-dir",
                        help="directory to import the generated stubs from, generating them there if absent "
                             "(default: generate into a temporary directory removed at exit)")
    return parser.parse_args(argv)


def check_runtime():
    """Fails with the missing package's name rather than a traceback."""
    missing = []
    for module, package in (("grpc", "grpcio (Debian: python3-grpcio)"),
                            ("google.protobuf", "protobuf (Debian: python3-protobuf)"),
                            ("cryptography.x509", "cryptography (Debian: python3-cryptography)")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    if missing:
        raise SetupError("missing Python packages: " + ", ".join(missing))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out(make_undumpable())
    temporary = None
    try:
        check_runtime()
        stubs, how, temporary = load_stubs(args.proto_dir, args.stubs_dir)
        out(how)
        import grpc

        try:
            return run(args, stubs)
        except grpc.RpcError as e:
            print("error: " + describe(e), file=sys.stderr, flush=True)
            return EXIT_FAILED
    except SetupError as e:
        print("error: " + str(e), file=sys.stderr, flush=True)
        return EXIT_FAILED
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

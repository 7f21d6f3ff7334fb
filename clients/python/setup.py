"""Build steps pyproject.toml cannot express: the gRPC stubs are generated from the contract.

``build_py`` compiles every ``taskcert/**/*.proto`` of the contract with ``grpc_tools.protoc`` into
the build tree, next to the library's own modules (``taskcert.ca.v1.ca_pb2``, ...), so a wheel
always carries stubs of the exact contract it was built from. ``sdist`` copies the contract into
the source archive (``proto/``), so a wheel built from the archive generates the same stubs.

The protobuf requirement of the package follows the generator (see ``protobuf_requirement``).

A protoc too old for proto3 ``optional`` (before 3.12; Debian 12's grpc_tools bundles 3.5.1) gets a
copy of the contract in which each ``optional`` field is the one-field oneof ``_<field>`` newer
protoc synthesizes for it (see ``without_proto3_optional``): same wire format, same field names,
and ``HasField("<field>")`` works the same.

The contract is looked up in this order: ``$TASKCERT_PROTO_DIR``, ``proto/`` next to this file (an
unpacked source archive), ``../../proto/src/main/proto`` (this repository).
"""

import glob
import os
import re
import shutil
import tempfile

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_CANDIDATES = (
    os.environ.get("TASKCERT_PROTO_DIR", ""),
    os.path.join(HERE, "proto"),
    os.path.join(HERE, "..", "..", "proto", "src", "main", "proto"),
)


def proto_root() -> str:
    """The directory holding ``taskcert/**/*.proto``; fails the build if there is none."""
    for candidate in PROTO_CANDIDATES:
        if candidate and glob.glob(os.path.join(candidate, "taskcert", "**", "*.proto"), recursive=True):
            return os.path.abspath(candidate)
    raise SystemExit("taskcert build: no taskcert/**/*.proto found; set TASKCERT_PROTO_DIR to the contract's directory")


def proto_files(root: str) -> list:
    return sorted(glob.glob(os.path.join(root, "taskcert", "**", "*.proto"), recursive=True))


OPTIONAL_FIELD = re.compile(r"^(\s*)optional\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)([^;]*);", re.MULTILINE)


def supports_proto3_optional(protoc) -> bool:
    """Whether this protoc compiles a proto3 ``optional`` field (3.15 and later; 3.12 to 3.14 with a flag)."""
    with tempfile.TemporaryDirectory() as scratch:
        with open(os.path.join(scratch, "probe.proto"), "w", encoding="utf-8") as stream:
            stream.write('syntax = "proto3";\nmessage Probe { optional int32 field = 1; }\n')
        return protoc.main(["grpc_tools.protoc", "-I" + scratch, "--python_out=" + scratch,
                            os.path.join(scratch, "probe.proto")]) == 0


def without_proto3_optional(root: str, scratch: str) -> str:
    """A copy of the contract under ``scratch`` with each ``optional`` field as its synthetic oneof."""
    for path in proto_files(root):
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        text = OPTIONAL_FIELD.sub(r"\1oneof _\3 {\n\1  \2 \3 = \4\5;\n\1}", text)
        destination = os.path.join(scratch, os.path.relpath(path, root))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with open(destination, "w", encoding="utf-8") as stream:
            stream.write(text)
    return scratch


def generate_stubs(root: str, out_dir: str) -> None:
    """Runs protoc (from grpc_tools) over the contract, writing ``*_pb2.py`` and ``*_pb2_grpc.py``."""
    from grpc_tools import protoc

    if supports_proto3_optional(protoc):
        compile_stubs(protoc, root, out_dir)
    else:
        print("taskcert build: this protoc predates proto3 optional (the error above is its answer to a probe);"
              " compiling each optional field as its synthetic oneof")
        with tempfile.TemporaryDirectory() as scratch:
            compile_stubs(protoc, without_proto3_optional(root, scratch), out_dir)


def compile_stubs(protoc, root: str, out_dir: str) -> None:
    """Runs ``protoc`` over the ``.proto`` files under ``root``."""
    import grpc_tools

    arguments = ["grpc_tools.protoc", "-I" + root]
    well_known = os.path.join(os.path.dirname(os.path.abspath(grpc_tools.__file__)), "_proto")
    if os.path.isfile(os.path.join(well_known, "google", "protobuf", "timestamp.proto")):
        arguments.append("-I" + well_known)
    files = proto_files(root)
    arguments += ["--python_out=" + out_dir, "--grpc_python_out=" + out_dir] + files
    if protoc.main(arguments) != 0:
        raise SystemExit("taskcert build: grpc_tools.protoc failed on " + root)
    # Every directory of generated modules becomes a regular package of the wheel.
    for path in files:
        package = os.path.dirname(os.path.relpath(path, root))
        while package and package != "taskcert":
            init = os.path.join(out_dir, package, "__init__.py")
            if not os.path.exists(init):
                with open(init, "w", encoding="utf-8") as stream:
                    stream.write('"""Generated from the taskcert contract; do not edit."""\n')
            package = os.path.dirname(package)


RUNTIME_CHECK = re.compile(
    r"ValidateProtobufRuntimeVersion\(\s*_runtime_version\.Domain\.PUBLIC,\s*(\d+),\s*(\d+),\s*(\d+),")


def protobuf_requirement() -> str:
    """The protobuf runtime the generated code needs, read from the code this toolchain generates.

    Code from protoc 26 and later checks at import that the runtime is at least as new as the
    generator (``ValidateProtobufRuntimeVersion``); older code (Debian 12's grpc_tools) runs on
    protobuf 4.21 and later. The requirement follows whichever toolchain builds the wheel.
    """
    with tempfile.TemporaryDirectory() as scratch:
        generate_stubs(proto_root(), scratch)
        with open(os.path.join(scratch, "taskcert", "ca", "v1", "ca_pb2.py"), encoding="utf-8") as stream:
            code = stream.read()
    found = RUNTIME_CHECK.search(code)
    return "protobuf>=%s.%s.%s" % found.groups() if found else "protobuf>=4.21"


class BuildPyWithStubs(build_py):
    """The standard build_py, then the stubs generated into the build tree."""

    def run(self) -> None:
        super().run()
        generate_stubs(proto_root(), os.path.abspath(self.build_lib))


class SdistWithContract(sdist):
    """The standard source archive plus the contract under ``proto/``."""

    def make_release_tree(self, base_dir: str, files: list) -> None:
        super().make_release_tree(base_dir, files)
        root = proto_root()
        target = os.path.join(base_dir, "proto")
        for path in proto_files(root):
            destination = os.path.join(target, os.path.relpath(path, root))
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copyfile(path, destination)


setup(
    install_requires=["grpcio>=1.51", protobuf_requirement(), "cryptography>=38"],
    cmdclass={"build_py": BuildPyWithStubs, "sdist": SdistWithContract},
)

"""Test fixtures: a real gymrpc server (the Java jar), started once per test session.

The jar is ``<repo>/server/target/gymrpc-server.jar`` (``GYMRPC_SERVER_JAR`` overrides it). A missing jar is
a failure, not a skip: build it with ``mvn -o -DskipTests package`` from the repository root. Set
``GYMRPC_TEST_ADDRESS`` to test against an already running server instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest

REPO = Path(__file__).resolve().parents[3]
JAR = Path(os.environ.get("GYMRPC_SERVER_JAR", REPO / "server" / "target" / "gymrpc-server.jar"))
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_status(address: str, timeout: float = 1.0) -> int | None:
    """grpc.health.v1.Health/Check for the whole server: 1 = SERVING; None if it does not answer.

    The request (``service = ""``) is the empty message and the response is ``status`` (field 1, varint),
    so the call is made on raw bytes instead of pulling in grpcio-health-checking.
    """
    with grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)]) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        try:
            reply = check(b"", timeout=timeout)
        except grpc.RpcError:
            return None
    return reply[1] if reply[:1] == b"\x08" else 0


@pytest.fixture(scope="session")
def server_address():
    """``127.0.0.1:<port>`` of a gymrpc server started for this test session (stopped at the end)."""
    external = os.environ.get("GYMRPC_TEST_ADDRESS")
    if external:
        yield external
        return
    if not JAR.is_file():
        pytest.fail(
            f"the gymrpc server jar {JAR} is missing: build it from the repository root with "
            "`mvn -o -DskipTests package` (or point GYMRPC_SERVER_JAR at one)",
            pytrace=False,
        )
    java = shutil.which("java")
    if java is None:
        pytest.fail("`java` is not on PATH: the tests start the real gymrpc server (Java 17)", pytrace=False)
    port = _free_port()
    address = f"127.0.0.1:{port}"
    store = tempfile.mkdtemp(prefix="gymrpc-pytest-store-")
    log_path = Path(tempfile.gettempdir()) / f"gymrpc-pytest-server-{port}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [java, "-Xmx1g", "-Djava.awt.headless=true", "-jar", str(JAR), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--store", store],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while health_status(address) != 1:
            if process.poll() is not None:
                pytest.fail(
                    f"the gymrpc server exited with code {process.returncode} at startup; its log:\n"
                    + log_path.read_text(errors="replace")[-4000:],
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(f"the gymrpc server did not report SERVING within {STARTUP_TIMEOUT_S:g} s; "
                            f"log: {log_path}", pytrace=False)
            time.sleep(0.2)
        print(f"\ngymrpc server up at {address} (log {log_path})", file=sys.stderr)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(store, ignore_errors=True)


@pytest.fixture(scope="session")
def server_env_ids(server_address):
    import gymrpc

    return [info.id for info in gymrpc.list_envs(server_address)]

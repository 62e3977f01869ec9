"""Test fixtures: a real gymrpc server (the Java jar), started once per test session.

The jar is ``<repo>/server/target/gymrpc-server.jar`` (``GYMRPC_SERVER_JAR`` overrides it). A missing jar is
a failure, not a skip: build it with ``mvn -o -DskipTests package`` from the repository root. Set
``GYMRPC_TEST_ADDRESS`` to test against an already running server instead.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from gymrpc.testing import LocalServer, require_jar

REPO = Path(__file__).resolve().parents[3]
JAR = Path(os.environ.get("GYMRPC_SERVER_JAR", REPO / "server" / "target" / "gymrpc-server.jar"))


@pytest.fixture(scope="session")
def server_address():
    """``127.0.0.1:<port>`` of a gymrpc server started for this test session (stopped at the end)."""
    external = os.environ.get("GYMRPC_TEST_ADDRESS")
    if external:
        yield external
        return
    server = LocalServer(JAR)
    try:
        server.start()
    except (FileNotFoundError, RuntimeError, TimeoutError) as exc:
        pytest.fail(str(exc), pytrace=False)
    print(f"\ngymrpc server up at {server.address} (log {server.log_path})", file=sys.stderr)
    try:
        yield server.address
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server_env_ids(server_address):
    import gymrpc

    return [info.id for info in gymrpc.list_envs(server_address)]


@pytest.fixture(scope="session")
def server_jar() -> Path:
    """The server jar, for tests that need a server of their own (e.g. to stop it)."""
    try:
        return require_jar(JAR)
    except FileNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)

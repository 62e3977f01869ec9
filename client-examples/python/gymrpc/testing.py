"""Starting a local gymrpc server (the Java jar) for tests, benchmarks and notebooks.

    with LocalServer("server/target/gymrpc-server.jar") as server:
        env = gymrpc.make("CartPole-v1", address=server.address)
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import grpc


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_status(address: str, timeout: float = 1.0) -> int | None:
    """``grpc.health.v1.Health/Check`` for the whole server: 1 = SERVING, None = no answer.

    The request (``service = ""``) is the empty message and the answer is field 1 (``status``, a varint),
    so the call is made on raw bytes rather than adding grpcio-health-checking as a dependency.
    """
    with grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)]) as channel:
        check = channel.unary_unary("/grpc.health.v1.Health/Check")
        try:
            reply = check(b"", timeout=timeout)
        except grpc.RpcError:
            return None
    return reply[1] if reply[:1] == b"\x08" and len(reply) > 1 else 0


def require_jar(jar: str | Path) -> Path:
    """``jar`` as a Path; FileNotFoundError saying how to build it when it is missing."""
    jar = Path(jar)
    if not jar.is_file():
        raise FileNotFoundError(
            f"the gymrpc server jar {jar} is missing: build it from the repository root with "
            "`mvn -o -DskipTests package`"
        )
    return jar


class LocalServer:
    """Runs ``java -jar <jar> serve`` on a free loopback port until stopped; waits for health SERVING."""

    def __init__(self, jar: str | Path, *, java: str | None = None, heap: str = "1g", startup_timeout: float = 60.0,
                 extra_args: tuple[str, ...] = ()):
        self.jar = Path(jar)
        self.java = java or shutil.which("java")
        self.heap = heap
        self.startup_timeout = startup_timeout
        self.extra_args = extra_args
        self.port = None
        self.address = None
        self.log_path = None
        self._process = None
        self._store = None

    def start(self) -> "LocalServer":
        require_jar(self.jar)
        if self.java is None:
            raise FileNotFoundError("`java` (17+) is not on PATH; it runs the gymrpc server")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._store = tempfile.mkdtemp(prefix="gymrpc-store-")
        self.log_path = Path(tempfile.gettempdir()) / f"gymrpc-server-{self.port}.log"
        log = open(self.log_path, "wb")
        self._process = subprocess.Popen(
            [self.java, f"-Xmx{self.heap}", "-XX:+UseParallelGC", "-Djava.awt.headless=true", "-jar", str(self.jar), "serve",
             "--host", "127.0.0.1", "--port", str(self.port), "--store", self._store, *self.extra_args],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while health_status(self.address) != 1:
            if self._process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-4000:]
                self.stop()
                raise RuntimeError(f"the gymrpc server exited with code {self._process.returncode} at startup; "
                                   f"its log ({self.log_path}):\n{tail}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the gymrpc server did not report SERVING within {self.startup_timeout:g} s; "
                                   f"see {self.log_path}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._store:
            shutil.rmtree(self._store, ignore_errors=True)
            self._store = None

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

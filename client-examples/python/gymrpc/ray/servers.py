"""gymrpc servers on a Ray cluster: one per node, started by a Ray actor from the jar, or attached by address.

    import ray, gymrpc.ray as gr
    ray.init(address="auto")
    pool = gr.start_servers("server/target/gymrpc-server.jar")      # one server actor per alive node
    pool = gr.attach(["10.0.0.5:50051", "10.0.0.6:50051"])            # or servers you run yourself
    ...
    pool.shutdown()                                                   # stops the servers it started

Each :class:`ServerActor` runs ``java -jar <jar> serve`` on its node (bound to the node's IP on a free port)
and kills it when the actor ends; the java process also gets SIGKILL when the actor's worker process dies
(Linux parent-death signal), so a lost node or a killed actor leaves no server behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from gymrpc.testing import free_port, health_status

__all__ = ["ServerActor", "ServerHandle", "ServerPool", "attach", "start_servers"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """preexec_fn: the server gets SIGKILL when the process that started it (the actor's worker) dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class ServerActor:
    """A gymrpc server on the node this actor is placed on (a Ray actor class: use :func:`start_servers`).

    Args:
        jar: path of ``gymrpc-server.jar`` on that node.
        host: address to bind; default the node's IP as Ray sees it (reachable from the other nodes).
        port: default a free port.
        heap: JVM ``-Xmx``.
        workers: the server's training worker pool size (``--workers``); None = the server's default.
        cpus: pin the java process to these cores with ``taskset -c`` (e.g. ``"0"``), for benchmarks.
        store: store directory; default a fresh temporary directory on the node (removed at stop).
        extra_args: more ``serve`` flags, e.g. ``("--auth-token-file", "/etc/gymrpc/token")``.
    """

    def __init__(self, jar: str, host: str | None = None, port: int | None = None, heap: str = "512m",
                 workers: int | None = None, cpus: str | None = None, store: str | None = None,
                 extra_args: Sequence[str] = (), startup_timeout: float = 90.0):
        jar_path = Path(jar)
        if not jar_path.is_file():
            raise FileNotFoundError(f"gymrpc server jar {jar} is not on node {ray.util.get_node_ip_address()}: "
                                    "build it with `mvn -o -DskipTests package` or ship it to every node")
        java = shutil.which("java")
        if java is None:
            raise FileNotFoundError("`java` (17+) is not on PATH on this node")
        self.host = host or ray.util.get_node_ip_address()
        self.port = port or free_port()
        self.address = f"{self.host}:{self.port}"
        self.node_id = ray.get_runtime_context().get_node_id()
        self._own_store = store is None
        self.store = store or tempfile.mkdtemp(prefix="gymrpc-ray-store-")
        self.log_path = Path(tempfile.gettempdir()) / f"gymrpc-ray-server-{self.port}.log"
        cmd = [java, f"-Xmx{heap}", "-XX:+UseParallelGC", "-Djava.awt.headless=true"]
        if cpus is not None:
            cmd += [f"-XX:ActiveProcessorCount={len(_cpu_list(cpus))}"]
            cmd = ["taskset", "-c", str(cpus), *cmd]
        cmd += ["-jar", str(jar_path), "serve", "--host", self.host, "--port", str(self.port), "--store", self.store]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        cmd += list(extra_args)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + startup_timeout
        while health_status(self.address) != 1:
            if self.process.poll() is not None:
                raise RuntimeError(f"gymrpc server on {self.address} exited with {self.process.returncode}: "
                                   + self.log_path.read_text(errors="replace")[-3000:])
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"gymrpc server on {self.address} not SERVING after {startup_timeout:g} s")
            time.sleep(0.2)

    def info(self) -> dict:
        """address, node_id, pid, log path and whether the process is alive."""
        return {"address": self.address, "node_id": self.node_id, "pid": self.process.pid, "store": self.store,
                "log": str(self.log_path), "alive": self.process.poll() is None}

    def ping(self) -> bool:
        return self.process.poll() is None and health_status(self.address, timeout=2.0) == 1

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._own_store:
            shutil.rmtree(self.store, ignore_errors=True)

    def __del__(self):  # the actor ends (ray.kill, driver exit): take the server down with it
        try:
            self.stop()
        except Exception:
            pass


def _cpu_list(cpus: str) -> list[int]:
    out = []
    for part in str(cpus).split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


@dataclass
class ServerHandle:
    """One server of a pool: its address, and for servers started on Ray its node and actor."""

    address: str
    node_id: str | None = None
    actor: object | None = None
    pid: int | None = None
    #: The server's store directory on its node (left behind when the node dies).
    store: str | None = None
    alive: bool = True

    def check(self, timeout: float = 5.0) -> bool:
        """Whether the server still answers (and, for an actor's server, the actor is alive); a dead one
        stays dead for the pool."""
        if not self.alive:
            return False
        if self.actor is not None:
            try:
                ok = ray.get(self.actor.ping.remote(), timeout=timeout)
            except Exception:
                ok = False
        else:
            ok = health_status(self.address, timeout=min(timeout, 2.0)) == 1
        self.alive = ok
        return ok


@dataclass
class ServerPool:
    """The servers a benchmark or sweep runs on (see :func:`start_servers` and :func:`attach`)."""

    servers: list[ServerHandle] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        return [s.address for s in self.servers if s.alive]

    def alive(self) -> list[ServerHandle]:
        return [s for s in self.servers if s.alive]

    def shutdown(self) -> None:
        """Stops the servers this pool started (attached ones are left running)."""
        for s in self.servers:
            if s.actor is None:
                continue
            try:
                ray.get(s.actor.stop.remote(), timeout=30)
            except Exception:
                pass
            try:
                ray.kill(s.actor)
            except Exception:
                pass
            s.alive = False

    def __enter__(self) -> "ServerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()


def attach(addresses: Sequence[str]) -> ServerPool:
    """A pool of servers already running at ``addresses`` (host:port); each must answer its health check."""
    pool = ServerPool([ServerHandle(a) for a in addresses])
    dead = [s.address for s in pool.servers if not s.check()]
    if dead:
        raise ConnectionError(f"no gymrpc server SERVING at {', '.join(dead)}")
    return pool


def start_servers(jar: str | os.PathLike, *, nodes: Sequence[str] | None = None, per_node: int = 1,
                  timeout: float = 120.0, **server_args) -> ServerPool:
    """Starts ``per_node`` gymrpc server actors on each alive Ray node with CPUs (or on the node ids in
    ``nodes``) and waits until all answer. ``server_args`` go to :class:`ServerActor` (heap, workers, cpus,
    host, store, extra_args). The actors take no Ray CPU: the training cells scheduled on a node do."""
    if not ray.is_initialized():
        raise RuntimeError("call ray.init(...) first (ray.init(address='auto') on a cluster)")
    if nodes is None:
        nodes = [n["NodeID"] for n in ray.nodes() if n["Alive"] and n["Resources"].get("CPU", 0) > 0]
    if not nodes:
        raise RuntimeError("no alive Ray node with CPUs to start gymrpc servers on")
    actor_cls = ray.remote(num_cpus=0, max_restarts=0)(ServerActor)
    cpus = server_args.pop("cpus", None)
    actors = []
    for node_id in nodes:
        for _ in range(per_node):
            pin = cpus[len(actors) % len(cpus)] if isinstance(cpus, (list, tuple)) else cpus
            actors.append(actor_cls.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(node_id, soft=False)).remote(
                    str(jar), cpus=pin, **server_args))
    try:
        infos = ray.get([a.info.remote() for a in actors], timeout=timeout)
    except Exception:
        for a in actors:
            ray.kill(a)
        raise
    return ServerPool([ServerHandle(i["address"], i["node_id"], a, i["pid"], i["store"]) for a, i in zip(actors, infos)])

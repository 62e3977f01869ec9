"""gymrpc on Ray: one gymrpc server per node, benchmarks whose cells are Ray tasks on those servers, and a
Ray Tune trainable that trains through the AgentService (``pip install "gymrpc[ray]"``).

    import ray, gymrpc.ray as gr
    ray.init(address="auto")                                        # a running cluster (ray start / KubeRay)
    pool = gr.start_servers("server/target/gymrpc-server.jar")      # or gr.attach(["host:port", ...])
    result = gr.run_benchmark(pool, {"sac": spec_a, "sac+grokfast": spec_b}, seeds=[1, 2, 3])
    print(result.format())
    pool.shutdown()

:mod:`gymrpc.ray.tune` holds the Tune trainable (``GymrpcTrainable``) and needs ``ray[tune]``.
"""

from __future__ import annotations

try:
    import ray  # noqa: F401
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError('gymrpc.ray needs Ray: pip install "gymrpc[ray]" (or pip install "ray[tune]")') from exc

from gymrpc.ray.benchmark import (
    BenchmarkResult,
    Cell,
    CellFailed,
    build_table,
    run_benchmark,
    run_cell,
    summarize,
    t975,
    training_spec,
)
from gymrpc.ray.servers import ServerActor, ServerHandle, ServerPool, attach, start_servers

__all__ = [
    "BenchmarkResult",
    "Cell",
    "CellFailed",
    "ServerActor",
    "ServerHandle",
    "ServerPool",
    "attach",
    "build_table",
    "run_benchmark",
    "run_cell",
    "start_servers",
    "summarize",
    "t975",
    "training_spec",
]

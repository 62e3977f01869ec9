"""Benchmark: the same gymrpc.ray benchmark (variants x seeds) on one server vs two servers; prints the
wall-clock of each and the ratio.

    # on this machine: a local Ray cluster of two 1-CPU nodes, each node's server pinned to its own core
    python client-examples/python/bench/bench_ray.py --local-cluster --pin

    # on a real cluster (after `ray start --head` / `ray start --address=HEAD:6379` on each node, or KubeRay):
    python client-examples/python/bench/bench_ray.py --address auto --jar /opt/gymrpc/gymrpc-server.jar \
        --servers 4 --steps 20000 --seeds 3

The one-server run uses the first server only; the N-server run uses the first N. Every server first runs
one short warm-up job (JIT), so neither run pays the warm-up. Cells run one at a time per server
(``cells_per_server=1``) and each server gets ``--workers 1``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
import ray

import gymrpc.ray as gr

REPO = Path(__file__).resolve().parents[3]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--address", help="Ray cluster to join (e.g. 'auto'); default: --local-cluster")
    p.add_argument("--local-cluster", action="store_true", help="start a local Ray cluster of --servers 1-CPU nodes")
    p.add_argument("--servers", type=int, default=2, help="servers of the multi-server run (default 2)")
    p.add_argument("--pin", action="store_true", help="pin server k to core k (taskset; local cluster)")
    p.add_argument("--jar", default=str(REPO / "server" / "target" / "gymrpc-server.jar"))
    p.add_argument("--algo", default="sac")
    p.add_argument("--env", default="FourRooms-v0")
    p.add_argument("--preset", default="fourrooms-fast")
    p.add_argument("--steps", type=int, default=6000, help="training steps per cell")
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--heap", default="512m")
    p.add_argument("--repeats", type=int, default=3, help="alternate 1-server and N-server runs this many times")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(asctime)s %(message)s")

    cluster = None
    if args.address:
        ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    else:
        from ray.cluster_utils import Cluster

        store = 80 * 1024 * 1024
        cluster = Cluster(initialize_head=True,
                          head_node_args={"num_cpus": 0, "include_dashboard": False, "object_store_memory": store})
        for _ in range(args.servers):
            cluster.add_node(num_cpus=1, object_store_memory=store)
        cluster.wait_for_nodes(timeout=180)
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    pool = None
    try:
        cpus = [str(k % os.cpu_count()) for k in range(args.servers)] if args.pin else None
        pool = gr.start_servers(args.jar, heap=args.heap, workers=1, cpus=cpus, timeout=300)
        if len(pool.servers) < args.servers:
            print(f"only {len(pool.servers)} servers (one per node with CPUs); need {args.servers}", file=sys.stderr)
            return 2
        servers = pool.servers[: args.servers]
        config = {"hidden_sizes": [64], "learning_starts": 200, "batch_size": 64, "buffer_size": 10_000}
        variants = {
            args.algo: gr.training_spec(args.algo, args.env, steps=args.steps, preset=args.preset, config=config,
                                        evaluation={"final_episodes": 5}),
            f"{args.algo}+grokfast": gr.training_spec(args.algo, args.env, steps=args.steps, preset=args.preset,
                                                      config={**config, "augmentations.grokfast": True},
                                                      evaluation={"final_episodes": 5}),
        }
        seeds = list(range(1, args.seeds + 1))
        # Warm-up: every server trains one full cell of each variant first (JIT, class loading), so the
        # timed runs compare warm servers only.
        for name, spec in variants.items():
            gr.run_benchmark(gr.ServerPool(servers), {name: spec}, seeds=[100 + k for k in range(len(servers))],
                             fetch_models=False)

        print(f"{len(variants)} variants x {len(seeds)} seeds, {args.steps} steps each, {args.algo} on {args.env}; "
              f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        timings: dict[int, list[float]] = {1: [], args.servers: []}
        for rep in range(args.repeats):
            for n in (1, args.servers):
                t0 = time.monotonic()
                result = gr.run_benchmark(gr.ServerPool(servers[:n]), variants, seeds, fetch_models=True, poll=0.2)
                timings[n].append(time.monotonic() - t0)
                print(f"\nrun {rep + 1}, {n} server{'s' if n > 1 else ''}: {timings[n][-1]:.1f} s wall-clock "
                      f"(load average {os.getloadavg()[0]:.2f})")
                print(result.format())
        one, many = float(np.median(timings[1])), float(np.median(timings[args.servers]))
        print(f"\nwall-clock, median of {args.repeats}: 1 server {one:.1f} s, {args.servers} servers {many:.1f} s "
              f"-> {one / many:.2f}x speed-up (each run: {[round(t, 1) for t in timings[1]]} / "
              f"{[round(t, 1) for t in timings[args.servers]]}); load average now {os.getloadavg()[0]:.2f}")
        return 0
    finally:
        if pool is not None:
            pool.shutdown()
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()


if __name__ == "__main__":
    sys.exit(main())

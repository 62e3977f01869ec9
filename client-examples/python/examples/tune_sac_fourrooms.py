"""Ray Tune sweep on gymrpc servers: SAC on FourRooms, actor learning rate x Grokfast lambda, ASHA.

    # this machine: a local Ray cluster of two 1-CPU nodes, one gymrpc server each
    python client-examples/python/examples/tune_sac_fourrooms.py --local-cluster --steps 3000 --every 1000

    # a real cluster (ray start / KubeRay): one server per node, trials spread over the nodes
    python client-examples/python/examples/tune_sac_fourrooms.py --address auto --jar /opt/gymrpc/gymrpc-server.jar \
        --steps 100000 --every 10000

Every trial is a training job on the gymrpc server of the node its trainable runs on; each periodic
evaluation is one Tune iteration (metric ``eval_mean_return``); ASHA stops the weak trials early, which
cancels their jobs on the servers. Prints the trials sorted by their last evaluation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import ray
from ray import tune
from ray.tune.schedulers import ASHAScheduler

import gymrpc.ray as gr
from gymrpc.ray.tune import GymrpcTrainable, run_config

REPO = Path(__file__).resolve().parents[3]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--address", help="Ray cluster to join, e.g. 'auto'; default: --local-cluster")
    p.add_argument("--local-cluster", action="store_true", help="start a local Ray cluster of two 1-CPU nodes")
    p.add_argument("--servers", nargs="*", help="attach to running gymrpc servers (host:port) instead of starting them")
    p.add_argument("--jar", default=str(REPO / "server" / "target" / "gymrpc-server.jar"))
    p.add_argument("--steps", type=int, default=30_000, help="training steps per trial")
    p.add_argument("--every", type=int, default=3_000, help="evaluate (= one Tune iteration) every N steps")
    p.add_argument("--lrs", type=float, nargs="+", default=[1e-4, 3e-4, 1e-3])
    p.add_argument("--lambdas", type=float, nargs="+", default=[0.5, 2.0, 5.0], help="Grokfast lambda values")
    p.add_argument("--concurrent", type=int, default=0, help="max concurrent trials (0 = Ray's CPUs)")
    p.add_argument("--storage", default=str(Path(tempfile.gettempdir()) / "gymrpc-tune"))
    args = p.parse_args()

    cluster = None
    if args.address:
        ray.init(address=args.address, include_dashboard=False)
    else:
        from ray.cluster_utils import Cluster

        store = 80 * 1024 * 1024
        cluster = Cluster(initialize_head=True,
                          head_node_args={"num_cpus": 0, "include_dashboard": False, "object_store_memory": store})
        for _ in range(2):
            cluster.add_node(num_cpus=1, object_store_memory=store)
        cluster.wait_for_nodes(timeout=180)
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    pool = None
    try:
        pool = gr.attach(args.servers) if args.servers else gr.start_servers(args.jar, workers=1, timeout=300)
        print("gymrpc servers:", ", ".join(pool.addresses))
        max_t = max(1, args.steps // args.every) + 1
        space = {
            "gymrpc": run_config(pool, "sac", "FourRooms-v0", steps=args.steps, preset="fourrooms-fast",
                                 evaluation={"every_steps": args.every, "episodes": 10, "final_episodes": 20}),
            "actor_lr": tune.grid_search(args.lrs),
            "augmentations.grokfast": True,
            "augmentations.grokfast_lambda": tune.grid_search(args.lambdas),
        }
        tuner = tune.Tuner(
            GymrpcTrainable, param_space=space,
            tune_config=tune.TuneConfig(
                metric="eval_mean_return", mode="max", max_concurrent_trials=args.concurrent or None,
                scheduler=ASHAScheduler(time_attr="training_iteration", max_t=max_t, grace_period=1,
                                        reduction_factor=2)),
            run_config=tune.RunConfig(storage_path=args.storage, name="sac-fourrooms-lr-x-grokfast", verbose=1),
        )
        results = tuner.fit()
        rows = sorted(results, key=lambda r: r.metrics.get("eval_mean_return", float("-inf")), reverse=True)
        print(f"\n{'actor_lr':>9} {'lambda':>7} {'iters':>5} {'steps':>7} {'eval return':>11}  job / server")
        for r in rows:
            m = r.metrics
            stopped = "" if m.get("model_id") else "  (stopped early)"
            print(f"{r.config['actor_lr']:>9.0e} {r.config['augmentations.grokfast_lambda']:>7.2f} "
                  f"{m.get('training_iteration', 0):>5} {m.get('global_step', 0):>7} "
                  f"{m.get('eval_mean_return', float('nan')):>11.2f}  {m.get('job_id')} @ {m.get('server')}{stopped}")
        best = results.get_best_result()
        print(f"\nbest: actor_lr={best.config['actor_lr']:g}, grokfast_lambda={best.config['augmentations.grokfast_lambda']:g}"
              f" -> {best.metrics['eval_mean_return']:.2f}")
        return 0
    finally:
        if pool is not None:
            pool.shutdown()
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()


if __name__ == "__main__":
    sys.exit(main())

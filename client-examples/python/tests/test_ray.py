"""gymrpc.ray on a local multi-node Ray cluster (``ray.cluster_utils.Cluster``: a head node without CPUs
and two 1-CPU nodes on this machine), one gymrpc server actor per node. CI-size budgets: tiny SAC on
FourRooms and PPO on CartPole, a few hundred to a few thousand steps.

Skipped when Ray (``gymrpc[ray]``) is not installed; the Tune tests also when Ray Tune's extras are missing.
"""

from __future__ import annotations

import math
import os
import shutil
import threading
import time

import numpy as np
import pytest

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402

import gymrpc.ray as gr  # noqa: E402
from gymrpc.agents import AgentClient, agent_pb2  # noqa: E402

STORE = 80 * 1024 * 1024  # the smallest object store Ray accepts is 75 MiB
TINY_SAC = dict(config={"hidden_sizes": [32], "learning_starts": 100, "batch_size": 32, "buffer_size": 2000},
                evaluation={"final_episodes": 3})


def _tiny_sac(steps: int, **extra):
    cfg = {**TINY_SAC["config"], **extra}
    return gr.training_spec("sac", "FourRooms-v0", steps=steps, preset="fourrooms-fast", config=cfg,
                            evaluation=TINY_SAC["evaluation"])


def _require_tune():
    try:
        import ray.tune  # noqa: F401  (raises a plain ImportError when ray[tune]'s extras are missing)
    except ImportError as exc:
        pytest.skip(f"Ray Tune is not installed (pip install 'ray[tune]'): {exc}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie counts as dead
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(initialize_head=True,
                head_node_args={"num_cpus": 0, "include_dashboard": False, "object_store_memory": STORE})
    nodes = []
    try:
        for _ in range(2):
            nodes.append(c.add_node(num_cpus=1, object_store_memory=STORE))
        c.wait_for_nodes(timeout=120)
        ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
        yield c
    finally:
        ray.shutdown()
        c.shutdown()


@pytest.fixture(scope="module")
def pool(cluster, server_jar):
    p = gr.start_servers(server_jar, heap="256m", workers=1, timeout=180)
    pids = [s.pid for s in p.servers]
    try:
        yield p
    finally:
        p.shutdown()
        _reap(pids)


def _reap(pids):
    """Servers this test started must be gone; kill any left over (by pid, only ours)."""
    deadline = time.monotonic() + 20
    while any(_pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in pids:
        if _pid_alive(pid):
            os.kill(pid, 9)


def test_student_t_ci_matches_stats_java():
    assert gr.t975(1) == 12.706 and gr.t975(4) == 2.776 and math.isnan(gr.t975(0))
    assert abs(gr.t975(40) - 2.021) < 1e-3 and abs(gr.t975(120) - 1.980) < 1e-3
    n, mean, sd, lo, hi = gr.summarize([1.0, 2.0, 4.0])
    assert n == 3 and mean == pytest.approx(7 / 3) and sd == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert hi - mean == pytest.approx(4.303 * sd / math.sqrt(3))
    assert gr.summarize([5.0]) == (1, 5.0, 0.0, 5.0, 5.0)


def test_one_server_per_node(pool):
    assert len(pool.servers) == 2
    assert len({s.node_id for s in pool.servers}) == 2
    assert all(s.check() for s in pool.servers)


def test_benchmark_2x2_across_two_servers_matches_run_benchmark(pool, server_address, tmp_path):
    variants = {"sac": _tiny_sac(1000), "sac+grokfast": _tiny_sac(1000, **{"augmentations.grokfast": True})}
    result = gr.run_benchmark(pool, variants, seeds=[1, 2], out_dir=tmp_path, cell_timeout=300)
    assert not result.failures and not result.retries
    assert sorted(result.cells) == [("sac", 1), ("sac", 2), ("sac+grokfast", 1), ("sac+grokfast", 2)]
    assert {c.address for c in result.cells.values()} == set(pool.addresses)  # both servers ran cells
    for cell in result.cells.values():
        assert cell.model and cell.model[:2] == b"PK"  # the model zip came back
        assert len(cell.curve.episode) >= 1 and cell.curve.global_step[-1] <= 1000
        assert (tmp_path / cell.variant / f"seed{cell.seed}" / "model.zip").is_file()
    assert (tmp_path / "benchmark.csv").is_file()
    rows = {r.variant: r for r in result.table.rows}
    for name, row in rows.items():
        assert row.n == 2 and list(row.seeds) == [1, 2]
        n, mean, sd, lo, hi = gr.summarize([result.cells[name, s].score for s in (1, 2)])
        assert (row.mean, row.std, row.ci95_low, row.ci95_high) == pytest.approx((mean, sd, lo, hi))

    # The same benchmark as one RunBenchmark job on one server: same runs (same seed + config = same run),
    # so the same table.
    with AgentClient(server_address) as client:
        job = client.wait(client.benchmark(variants, [1, 2]).job_id, timeout=600)
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED, job.reason
    for server_row in job.benchmark_result.rows:
        row = rows[server_row.variant]
        assert list(row.scores) == pytest.approx(list(server_row.scores))
        for f in ("n", "mean", "std", "ci95_low", "ci95_high", "success_rate"):
            assert getattr(row, f) == pytest.approx(getattr(server_row, f)), f


def test_tune_asha_stops_the_worst_trial_and_cancels_its_job(pool, tmp_path):
    _require_tune()
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler

    from gymrpc.ray.tune import GymrpcTrainable, run_config

    # PPO on CartPole, one iteration per evaluation (every 400 steps). The last trial's episodes are capped at
    # 3 steps, so its evaluation return (<= 3) is below every other trial's (a CartPole episode lasts >= 8
    # steps): with two trials at a time it starts after another trial reported, and ASHA stops it at its
    # first rung.
    space = {
        "gymrpc": run_config(pool, "ppo", "CartPole-v1", steps=2000, preset="cartpole",
                             evaluation={"every_steps": 400, "episodes": 3, "final_episodes": 3}),
        "env_options.max_episode_steps": tune.grid_search([500, 400, 300, 3]),
    }
    tuner = tune.Tuner(
        GymrpcTrainable, param_space=space,
        tune_config=tune.TuneConfig(metric="eval_mean_return", mode="max", max_concurrent_trials=2,
                                    scheduler=ASHAScheduler(time_attr="training_iteration", max_t=8,
                                                            grace_period=1, reduction_factor=2)),
        run_config=tune.RunConfig(storage_path=str(tmp_path), name="asha", verbose=0),
    )
    results = tuner.fit()
    assert len(results) == 4 and not results.errors
    by_cap = {r.config["env_options.max_episode_steps"]: r.metrics for r in results}
    capped = by_cap[3]
    assert capped["eval_mean_return"] <= 3
    assert capped["training_iteration"] < 5  # a full run has 4 periodic evaluations + the final one
    states = {}
    for address in pool.addresses:
        with AgentClient(address) as client:
            states.update({j.job_id: j for j in client.list_jobs()})
    assert states[capped["job_id"]].state == agent_pb2.JOB_STATE_CANCELLED  # ASHA's stop cancelled it
    assert states[capped["job_id"]].progress.global_step < 2000
    finished = [m for m in by_cap.values() if m.get("model_id")]
    assert finished, "at least one trial ran to the end"
    for m in finished:
        assert states[m["job_id"]].state == agent_pb2.JOB_STATE_SUCCEEDED


def test_trainable_checkpoint_restore_resumes_the_server_job(pool, tmp_path):
    _require_tune()
    from gymrpc.ray.tune import GymrpcTrainable, run_config

    config = {"gymrpc": run_config(pool.addresses, "ppo", "CartPole-v1", steps=3000, preset="cartpole",
                                   evaluation={"every_steps": 500, "episodes": 2, "final_episodes": 2},
                                   checkpoint_every_steps=500),
              "actor_lr": 1e-3}
    first = GymrpcTrainable(config=config)
    r1 = first.train()
    assert r1["global_step"] >= 500 and not r1.get("done")
    saved = first.save(str(tmp_path / "ckpt"))
    job_id, address = r1["job_id"], r1["server"]
    first.stop()  # as Tune pausing a trial: the job is cancelled on the server
    with AgentClient(address) as client:
        assert client.get_job(job_id).state == agent_pb2.JOB_STATE_CANCELLED

    second = GymrpcTrainable(config=config)
    second.restore(saved)
    result = second.train()
    while not result.get("done"):
        result = second.train()
    second.stop()
    assert result["job_id"] == job_id  # the same job continued, not a new one
    with AgentClient(address) as client:
        job = client.get_job(job_id)
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED and job.resume_count == 1
    assert job.progress.global_step == 3000 and job.model_id


def test_node_killed_mid_run_its_cell_is_retried_on_the_other_server(cluster, pool, server_jar):
    survivor = pool.servers[0]
    victim_node = cluster.add_node(num_cpus=1, object_store_memory=STORE)
    cluster.wait_for_nodes(timeout=120)
    victim_pool = gr.start_servers(server_jar, nodes=[victim_node.node_id], heap="256m", workers=1, timeout=180)
    victim = victim_pool.servers[0]
    both = gr.ServerPool([survivor, victim])
    killed = threading.Event()

    def kill_when_training():
        with AgentClient(victim.address, call_timeout=5) as client:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if any(j.progress.global_step > 0 for j in client.list_jobs(agent_pb2.JOB_STATE_RUNNING)):
                        break
                except Exception:
                    pass
                time.sleep(0.2)
        cluster.remove_node(victim_node)
        killed.set()

    killer = threading.Thread(target=kill_when_training, daemon=True)
    killer.start()
    try:
        # seed 1 goes to the survivor, seed 2 to the victim (pool order)
        result = gr.run_benchmark(both, {"sac": _tiny_sac(1500)}, seeds=[1, 2], cell_timeout=300,
                                  unavailable_grace=10)
    finally:
        killer.join(timeout=330)
        deadline = time.monotonic() + 30
        while _pid_alive(victim.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        server_died = not _pid_alive(victim.pid)
        victim_pool.shutdown()
        _reap([victim.pid])
        shutil.rmtree(victim.store, ignore_errors=True)  # the dead node's disk, here on this machine
    assert killed.is_set()
    assert not result.failures
    assert [(v, s, a) for v, s, a, _ in result.retries] == [("sac", 2, victim.address)]
    assert not victim.alive and survivor.alive
    assert result.cells["sac", 1].attempts == 1  # finished or running elsewhere: not redone
    assert result.cells["sac", 2].attempts == 2 and result.cells["sac", 2].address == survivor.address
    assert result.table.rows[0].n == 2
    assert server_died  # the server process died with its node (parent-death signal)

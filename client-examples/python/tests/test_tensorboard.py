"""TensorBoard logs of a job (gymrpc.tensorboard, AgentClient.watch(tensorboard_dir=...)) under SB3's names.

The event files are read back with tensorboardX's own Event proto (TFRecord framing), so the test needs no
TensorBoard install; it skips when tensorboardX is absent.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

pytest.importorskip("tensorboardX")

from tensorboardX.proto import event_pb2 as tb_event_pb2  # noqa: E402

from gymrpc.agents import AgentClient, agent_pb2  # noqa: E402
from gymrpc.tensorboard import JobTensorBoard, scalars  # noqa: E402


def read_scalars(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """tag -> [(step, value)] from every event file in run_dir (TFRecord: len, crc, data, crc)."""
    out: dict[str, list[tuple[int, float]]] = {}
    for path in sorted(run_dir.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        i = 0
        while i < len(data):
            (length,) = struct.unpack_from("<Q", data, i)
            event = tb_event_pb2.Event.FromString(data[i + 12:i + 12 + length])
            i += 12 + length + 4
            for value in event.summary.value:
                out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def test_event_names_follow_sb3():
    update = agent_pb2.JobEvent(global_step=7, update=agent_pb2.UpdateEvent(updates=3, metrics={
        "losses/approx_kl": 0.01, "losses/clipfrac": 0.2, "losses/entropy": 1.3, "losses/ent_coef": 0.05,
        "losses/qf1_loss": 1.0, "losses/qf2_loss": 3.0, "grad/actor_norm": 0.5}))
    names = dict(scalars(update))
    assert names["train/approx_kl"] == 0.01 and names["train/clip_fraction"] == 0.2
    assert names["train/entropy_loss"] == -1.3, "SB3 logs minus the entropy"
    assert names["train/ent_coef"] == 0.05 and names["train/n_updates"] == 3
    assert names["train/critic_loss"] == 2.0 and names["grad/actor_norm"] == 0.5
    progress = agent_pb2.JobEvent(progress=agent_pb2.JobProgress(steps_per_second=900, episodes=4,
                                                                 mean_episode_return=-12.5))
    assert dict(scalars(progress)) == {"time/fps": 900, "time/episodes": 4, "rollout/ep_rew_mean": -12.5}
    evaluation = agent_pb2.JobEvent(evaluation=agent_pb2.EvaluationEvent(
        summary=agent_pb2.EvaluationSummary(mean_return=1.5, std_return=0.5, mean_length=20, success_rate=1)))
    assert dict(scalars(evaluation))["eval/mean_reward"] == 1.5
    assert scalars(agent_pb2.JobEvent(state=agent_pb2.StateEvent())) == []


def test_benchmark_runs_get_their_own_directories(tmp_path):
    with JobTensorBoard(tmp_path, "job-1") as tb:
        for seed in (0, 1):
            tb.write(agent_pb2.JobEvent(global_step=10 * (seed + 1), variant="sac", seed=seed,
                                        episode=agent_pb2.EpisodeEvent(episodic_return=seed, episodic_length=5)))
    for seed in (0, 1):
        got = read_scalars(tmp_path / "job-1" / f"sac_seed{seed}")
        assert got["charts/episodic_return"] == [(10 * (seed + 1), float(seed))]


def test_watch_writes_the_jobs_scalars(server_address, tmp_path):
    with AgentClient(server_address) as client:
        job = client.train("sac", "FourRooms-v0", seed=2, steps=400,
                           config={"hidden_sizes": [32], "learning_starts": 100, "batch_size": 32,
                                   "buffer_size": 2000},
                           env_options={"max_episode_steps": 50}, evaluation={"final_episodes": 3})
        seen = []
        final = client.watch(job.job_id, progress=False, tensorboard_dir=tmp_path, on_event=seen.append)
    assert final.state == agent_pb2.JOB_STATE_SUCCEEDED, final.reason
    assert seen, "the caller's on_event still sees every event"
    got = read_scalars(tmp_path / job.job_id)
    for tag in ("time/fps", "rollout/ep_rew_mean", "charts/episodic_return", "train/n_updates",
                "train/ent_coef", "eval/mean_reward"):
        assert tag in got, sorted(got)
    steps = [s for s, _ in got["charts/episodic_return"]]
    assert steps == sorted(steps) and steps[-1] <= 400

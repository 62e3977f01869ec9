"""The agent service through gymrpc.agents against a real server (the session's jar): train -> watch ->
evaluate -> act -> download, the resumable event stream, errors with their fields, cancel/resume and a tiny
benchmark. Budgets are a few hundred steps: these check the client and the wire, not learning."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import numpy as np
import pytest

import gymrpc
from gymrpc.agents import (
    AgentClient,
    InvalidConfigError,
    JobStateError,
    UnknownJobError,
    UnknownModelError,
    agent_pb2,
)

#: SAC on FourRooms, small and quick: early learning start, 50-step episodes.
TINY_SAC = dict(
    config={"hidden_sizes": [32], "learning_starts": 100, "batch_size": 32, "buffer_size": 2000},
    env_options={"max_episode_steps": 50},
    evaluation={"final_episodes": 3},
)


@pytest.fixture(scope="module")
def client(server_address):
    with AgentClient(server_address) as c:
        yield c


@pytest.fixture(scope="module")
def trained(client):
    """One finished SAC job and every event of it."""
    events = []
    job = client.train("sac", "FourRooms-v0", seed=1, steps=500, label="tiny sac", **TINY_SAC)
    assert job.state in (agent_pb2.JOB_STATE_QUEUED, agent_pb2.JOB_STATE_RUNNING)
    final = client.watch(job.job_id, progress=False, on_event=events.append)
    assert final.state == agent_pb2.JOB_STATE_SUCCEEDED, final.reason
    return final, events


def test_training_job_and_its_events(trained):
    job, events = trained
    assert job.progress.global_step == 500
    assert job.training.sac.gamma == pytest.approx(0.99), "unset fields take the preset's values"
    assert list(job.training.sac.hidden_sizes) == [32]
    assert [e.offset for e in events] == list(range(len(events))), "dense offsets from 0"
    assert events[-1].state.state == agent_pb2.JOB_STATE_SUCCEEDED
    kinds = {e.WhichOneof("kind") for e in events}
    assert {"state", "episode", "update", "progress", "evaluation"} <= kinds
    names = set().union(*(e.update.metrics.keys() for e in events if e.HasField("update")))
    assert any(n.startswith("losses/") for n in names) and any(n.startswith("grad/") for n in names), names


def test_watch_resumes_from_any_offset(client, trained):
    job, events = trained
    k = len(events) // 2
    assert list(client.events(job.job_id, from_offset=k)) == events[k:]


def test_learning_curve_from_the_event_log(client, trained):
    job, _ = trained
    curve = client.learning_curve(job.job_id)
    assert len(curve.episodic_return) == job.progress.episodes
    assert np.all(curve.length <= 50)
    assert np.all(np.diff(curve.global_step) > 0)
    # FourRooms: -1 per step except the step onto the goal.
    assert np.all((curve.episodic_return == -curve.length) | (curve.episodic_return == -(curve.length - 1)))


def test_evaluate_is_reproducible(client, trained):
    job, _ = trained
    a = client.evaluate(job.model_id, episodes=4, seed=3)
    b = client.evaluate(job.model_id, episodes=4, seed=3)
    assert a.returns.shape == (4,) and a.lengths.shape == (4,)
    np.testing.assert_array_equal(a.returns, b.returns)
    assert a.mean_return == pytest.approx(a.returns.mean())
    assert np.all(a.lengths <= 50), "the model's env options apply by default"


def test_act_batch(client, trained):
    job, _ = trained
    obs = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]], dtype=np.float32)
    actions, probs = client.act(job.model_id, obs)
    assert actions.shape == (3,) and actions.dtype == np.int64
    assert probs.shape == (3, 4) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(actions, probs.argmax(axis=1))
    single, _ = client.act(job.model_id, obs[0])
    assert single.shape == (1,)
    sampled = [client.act(job.model_id, np.zeros((64, 2)), deterministic=False, seed=9)[0] for _ in range(2)]
    np.testing.assert_array_equal(sampled[0], sampled[1])


def test_download_model(client, trained, tmp_path):
    job, _ = trained
    info, path = client.download_model(job.model_id, tmp_path / "model.zip")
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == info.sha256
    assert info.job_id == job.job_id and info.env_id == "FourRooms-v0"
    assert info.spec == job.training, "provenance: the full resolved spec"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {"model.json", "actor.bin"} <= set(z.namelist())
        meta = json.loads(z.read("model.json"))
    assert meta["algorithm"] == "sac" and meta["envId"] == "FourRooms-v0"
    assert meta["sizes"] == [2, 32, 4], "observation size, hidden widths, actions"
    assert any(m.model_id == job.model_id for m in client.list_models("FourRooms-v0"))


def test_errors_name_the_problem(client, trained):
    job, _ = trained
    with pytest.raises(InvalidConfigError) as bad:
        client.train("sac", "FourRooms-v0", steps=10, config={"gamma": 1.5})
    assert bad.value.field == "spec.sac.gamma"
    assert "[0.0, 1.0]" in bad.value.message
    assert isinstance(bad.value, ValueError)
    with pytest.raises(gymrpc.UnknownEnvError):
        client.train("sac", "FourRoom-v0", steps=10)
    with pytest.raises(UnknownJobError):
        client.get_job("job-00000000")
    with pytest.raises(KeyError):
        client.cancel("job-00000000")
    with pytest.raises(UnknownModelError):
        client.evaluate("model-nope", episodes=1)
    with pytest.raises(JobStateError):
        client.resume(job.job_id)
    with pytest.raises(gymrpc.InvalidArgumentError):
        client.act(job.model_id, np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        AgentClient.spec("dqn", "FourRooms-v0", steps=10)
    with pytest.raises(ValueError):
        AgentClient.spec("sac", "FourRooms-v0", steps=10, config={"gama": 0.9})


def test_cancel_and_resume(client):
    job = client.train("sac", "FourRooms-v0", seed=2, steps=1_000_000, **TINY_SAC)
    for _ in range(200):
        if client.get_job(job.job_id).progress.global_step > 50:
            break
        time.sleep(0.05)
    cancelled = client.cancel(job.job_id)
    assert cancelled.state == agent_pb2.JOB_STATE_CANCELLED
    assert cancelled.checkpoint_step > 50, "the run checkpoints where it stopped"
    resumed = client.resume(job.job_id)
    assert resumed.resume_count == 1
    for _ in range(200):
        if client.get_job(job.job_id).progress.global_step > cancelled.checkpoint_step:
            break
        time.sleep(0.05)
    again = client.cancel(job.job_id)
    assert again.state == agent_pb2.JOB_STATE_CANCELLED
    assert again.checkpoint_step > cancelled.checkpoint_step, "the step counter continued"
    resumed_events = [e for e in client.events(job.job_id, from_offset=cancelled.event_count) if e.HasField("state")]
    assert resumed_events[1].state.reason.startswith(
        f"resumed from the checkpoint at step {cancelled.checkpoint_step}; the episode that was running restarts")


def test_tiny_benchmark(client):
    variants = {
        "sac": AgentClient.spec("sac", "FourRooms-v0", steps=200, **TINY_SAC),
        "sac+grokfast": AgentClient.spec("sac", "FourRooms-v0", steps=200, grokfast=True, **TINY_SAC),
    }
    job = client.benchmark(variants, seeds=[1, 2], score="mean")
    runs = []
    final = client.watch(job.job_id, progress=False,
                         on_event=lambda e: runs.append(e) if e.HasField("benchmark_run") else None)
    assert final.state == agent_pb2.JOB_STATE_SUCCEEDED, final.reason
    assert len(runs) == 4
    rows = {r.variant: r for r in final.benchmark_result.rows}
    for row in rows.values():
        assert row.n == 2 and list(row.seeds) == [1, 2]
        assert row.ci95_low <= row.mean <= row.ci95_high
        assert -50 <= row.mean <= 0
    curve = client.learning_curve(job.job_id, variant="sac+grokfast", seed=2)
    assert len(curve.episodic_return) >= 3

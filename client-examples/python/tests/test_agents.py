"""The agent service through gymrpc.agents against a real server (the session's jar): the algorithm listing,
train by name with config values -> watch -> evaluate -> act -> download (gymrpc and DL4J), the resumable
event stream, errors naming the field, old-style calls (and the deprecated typed messages) still accepted,
cancel/resume and a tiny benchmark. Budgets are a few hundred steps: these check the client and the wire,
not learning. Request building without a server: test_agents_requests.py."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import grpc
import numpy as np
import pytest

import gymrpc
from gymrpc._codec import to_value
from gymrpc.agents import (
    AgentClient,
    InvalidConfigError,
    JobStateError,
    UnknownJobError,
    UnknownModelError,
    UnsupportedFormatError,
    agent_pb2,
    describe_job,
    spec_config,
    state_name,
)

#: SAC on FourRooms, small and quick: early learning start, 50-step episodes (the pre-plug-in call form:
#: a config dict, evaluation and env_options dicts).
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


@pytest.fixture(scope="module")
def algorithms(client):
    return client.algorithms()


def test_list_algorithms(algorithms):
    assert {"ppo", "sac"} <= set(algorithms.names)
    sac = algorithms["sac"]
    assert "discrete" in sac.action_kinds and sac.description
    gamma = sac.field("gamma")
    assert gamma.type == "double" and gamma.range == "[0, 1]" and gamma.doc
    assert gamma.default == pytest.approx(0.99)
    assert sac.field("hidden_sizes").type == "int_list" and all(isinstance(w, int) for w in sac.field("hidden_sizes").default)
    assert sac.field("init").type == "enum" and "ddpg_uniform" in sac.field("init").choices
    assert "augmentations.grokfast" in sac.field_names
    assert {"fourrooms", "lunarlander"} <= set(sac.preset_names)
    assert sac.preset("fourrooms").values["gamma"] == pytest.approx(0.99)
    assert algorithms["ppo"].field("advantage").choices == ("mc", "gae")
    table = str(algorithms)
    assert table.splitlines()[0].split()[:2] == ["algorithm", "actions"]
    assert all(any(line.startswith(name + " ") for line in table.splitlines()) for name in algorithms.names)
    text = str(sac)
    assert "gamma" in text and "[0, 1]" in text and "fourrooms" in text


def test_training_job_and_its_events(trained):
    job, events = trained
    assert job.progress.global_step == 500
    assert job.training.algorithm_name == "sac"
    assert describe_job(job).startswith(f"{job.job_id} sac FourRooms-v0 SUCCEEDED")
    config = spec_config(job.training)
    assert config["gamma"] == pytest.approx(0.99), "unset fields take the preset's values"
    assert config["hidden_sizes"] == [32]
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
    assert info.algorithm_name == "sac"
    assert any(m.model_id == job.model_id for m in client.list_models("FourRooms-v0"))


def test_download_model_dl4j(client, trained, tmp_path):
    job, _ = trained
    try:
        info, path = client.download_model(job.model_id, tmp_path / "model-dl4j.zip", format="dl4j")
    except UnsupportedFormatError as exc:
        assert exc.code == grpc.StatusCode.UNIMPLEMENTED
        pytest.skip(f"this server has no DL4J export yet: {exc.message}")
    assert info.model_id == job.model_id and info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
    assert {"configuration.json", "coefficients.bin"} <= names, names   # DL4J ModelSerializer's entries


def test_errors_name_the_problem(client, trained):
    job, _ = trained
    with pytest.raises(InvalidConfigError) as bad:
        client.train("sac", "FourRooms-v0", steps=10, gamma=1.5)
    assert bad.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert bad.value.field is not None and bad.value.field.split(".")[-1] == "gamma", bad.value.metadata
    assert "gamma" in bad.value.message and "[0, 1]" in bad.value.message, bad.value.message
    assert isinstance(bad.value, ValueError)
    with pytest.raises(InvalidConfigError) as unknown:
        client.train("sac", "FourRooms-v0", steps=10, config={"gama": 0.9})
    assert unknown.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "gama" in unknown.value.field and "gamma" in unknown.value.message, "the valid fields are listed"
    with pytest.raises(InvalidConfigError) as kind:
        client.train("ppo", "CartPole-v1", steps=10, advantage="td")
    assert "advantage" in kind.value.field and "mc, gae" in kind.value.message
    with pytest.raises(gymrpc.InvalidArgumentError) as algo:
        client.train("dqn", "FourRooms-v0", steps=10)
    assert "dqn" in algo.value.message and "sac" in algo.value.message, "names the algorithms there are"
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
        AgentClient.spec("sac", "FourRooms-v0", steps=10, episodes=10)


def test_train_by_name_with_config_values(client):
    """A tiny PPO run named by string with keyword config values (an int list, an enum choice, an
    augmentation); the resolved spec echoes them and the preset fills the rest."""
    job = client.train("ppo", "CartPole-v1", seed=4, steps=300, preset="cartpole", hidden_sizes=[16, 16],
                       advantage="gae", rollout_steps=64, num_envs=2, epochs=2, gamma=0.95,
                       config={"augmentations.grokfast": True}, evaluation={"final_episodes": 2}, wait=True,
                       progress=False)
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED, describe_job(job)
    config = spec_config(job.training)
    assert config["hidden_sizes"] == [16, 16] and config["advantage"] == "gae" and config["rollout_steps"] == 64
    assert config["gamma"] == pytest.approx(0.95) and config["augmentations.grokfast"] is True
    assert config["epochs"] == 2
    assert job.training.preset == "cartpole" and job.training.algorithm_name == "ppo"
    actions, probs = client.act(job.model_id, np.zeros((5, 4), dtype=np.float32))
    assert actions.dtype == np.int64 and actions.shape == (5,) and probs.shape == (5, 2)


def test_stop_at_mean_return_ends_the_run_with_its_model(client):
    """Every FourRooms return is above -1e9, so the run stops at its first evaluation (near step 300 of
    5,000), stores its model and says when in `reason`."""
    job = client.train("sac", "FourRooms-v0", seed=3, steps=5000, wait=True, progress=False,
                       config={"hidden_sizes": [16], "learning_starts": 100, "batch_size": 16},
                       env_options={"max_episode_steps": 30},
                       evaluation={"every_steps": 300, "episodes": 1, "final_episodes": 1,
                                   "stop_at_mean_return": -1e9})
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED, describe_job(job)
    assert job.progress.global_step < 5000 and job.model_id
    assert job.reason.startswith("stopped early: evaluation mean return ")
    assert job.reason.endswith(f"at env step {job.progress.global_step}")


def test_old_style_calls_still_work(client):
    """The calls of the pre-plug-in client (episode budget, grokfast=True, a SacConfig-named config dict
    with a deprecated enum number) and a request that uses the deprecated typed messages directly."""
    job = client.train("sac", "FourRooms-v0", seed=1, episodes=2, grokfast=True,
                       config={"hidden_sizes": [16], "learning_starts": 20, "batch_size": 16,
                               "init": agent_pb2.INIT_DDPG_UNIFORM},
                       env_options={"max_episode_steps": 30}, evaluation={"final_episodes": 1})
    job = client.wait(job.job_id, poll=0.1, timeout=120)
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED, describe_job(job)
    config = spec_config(job.training)
    assert job.progress.episodes == 2 and config["augmentations.grokfast"] is True
    assert config["hidden_sizes"] == [16] and config["init"] == "ddpg_uniform"

    legacy = agent_pb2.TrainingSpec(
        algorithm=agent_pb2.ALGORITHM_SAC, env_id="FourRooms-v0", total_steps=60, seed=2,
        sac=agent_pb2.SacConfig(hidden_sizes=[8], learning_starts=20, batch_size=8, gamma=0.9),
        augmentations=agent_pb2.Augmentations(grokfast=True),
        env_options={"max_episode_steps": to_value(30)},
        evaluation=agent_pb2.EvaluationSchedule(final_episodes=1),
    )
    started = client.stub.StartTraining(agent_pb2.StartTrainingRequest(spec=legacy), timeout=30)
    job = client.wait(started.job_id, poll=0.1, timeout=120)
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED, describe_job(job)
    assert job.training.algorithm_name == "sac"
    config = spec_config(job.training)
    assert config["hidden_sizes"] == [8] and config["gamma"] == pytest.approx(0.9)
    assert config["augmentations.grokfast"] is True


def test_continuous_policy_acts_with_floats(client, algorithms):
    if "sac-continuous" not in algorithms:
        pytest.skip(f"the server has no sac-continuous (it has {', '.join(algorithms.names)})")
    job = client.train("sac-continuous", "LunarLanderContinuous-v3", seed=0, steps=200, hidden_sizes=[16],
                       learning_starts=100, batch_size=16, evaluation={"final_episodes": 1},
                       env_options={"max_episode_steps": 100}, wait=True, progress=False)
    assert job.state == agent_pb2.JOB_STATE_SUCCEEDED, describe_job(job)
    obs = np.zeros((3, 8), dtype=np.float32)
    actions, probs = client.act(job.model_id, obs)
    assert probs is None
    assert actions.dtype == np.float32 and actions.shape == (3, 2)
    assert np.all(np.abs(actions) <= 1.0)
    np.testing.assert_array_equal(actions[0], actions[1])      # greedy: same observation, same action
    sampled = [client.act(job.model_id, obs, deterministic=False, seed=5)[0] for _ in range(2)]
    np.testing.assert_array_equal(sampled[0], sampled[1])
    info, data = client.download_model(job.model_id)
    assert info.algorithm_name == "sac-continuous" and data[:2] == b"PK"


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
        "sac+grokfast": dict(algorithm="sac", env_id="FourRooms-v0", steps=200, grokfast=True, **TINY_SAC),
    }
    job = client.benchmark(variants, seeds=[1, 2], score="mean")
    runs = []
    final = client.watch(job.job_id, progress=False,
                         on_event=lambda e: runs.append(e) if e.HasField("benchmark_run") else None)
    assert final.state == agent_pb2.JOB_STATE_SUCCEEDED, final.reason
    assert state_name(final.state) == "SUCCEEDED"
    assert [v.spec.algorithm_name for v in final.benchmark.variants] == ["sac", "sac"]
    assert len(runs) == 4
    rows = {r.variant: r for r in final.benchmark_result.rows}
    for row in rows.values():
        assert row.n == 2 and list(row.seeds) == [1, 2]
        assert row.ci95_low <= row.mean <= row.ci95_high
        assert -50 <= row.mean <= 0
    curve = client.learning_curve(job.job_id, variant="sac+grokfast", seed=2)
    assert len(curve.episodic_return) >= 3

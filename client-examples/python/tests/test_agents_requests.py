"""gymrpc.agents without a server: the requests it builds (algorithm_name + config_values, never the
deprecated typed messages), Python value conversion, old-style calls, the algorithm listing's objects and
tables, enum names for people, continuous actions and model download formats."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from gymrpc._codec import from_value, numpy_to_tensor
from gymrpc.agents import (
    AgentClient,
    AlgorithmInfo,
    Algorithms,
    agent_pb2,
    config_values,
    describe_job,
    describe_model,
    modern_spec,
    spec_config,
)

spec = AgentClient.spec


def values(s) -> dict:
    """config_values of a spec as plain Python (tensors as (dtype, list))."""
    out = {}
    for name, v in s.config_values.items():
        x = from_value(v)
        out[name] = (x.dtype.name, x.tolist()) if isinstance(x, np.ndarray) else x
    return out


def assert_no_deprecated_fields(s) -> None:
    assert s.algorithm == agent_pb2.ALGORITHM_UNSPECIFIED
    assert s.WhichOneof("config") is None
    assert not s.HasField("augmentations"), "augmentations travel as augmentations.<field> config values"


class Recorder:
    """Stands in for AgentClient._call: records requests, answers with canned responses."""

    def __init__(self, responses=None):
        self.calls = []
        self.responses = responses or {}

    def __call__(self, method, request, timeout=-1.0):
        self.calls.append((method, request))
        return self.responses.get(method, agent_pb2.Job(job_id="job-1", state=agent_pb2.JOB_STATE_QUEUED))


@pytest.fixture
def offline():
    """An AgentClient whose unary calls go to a Recorder (the channel never connects)."""
    client = AgentClient("127.0.0.1:9")
    client._call = Recorder()
    yield client
    client.close()


# ------------------------------------------------------------------------------------------- spec


def test_spec_sends_the_name_and_config_values():
    s = spec("sac-continuous", "LunarLanderContinuous-v3", seed=3, steps=5000, preset="lunarlander",
             gamma=0.98, batch_size=64, learn_alpha=False, hidden_sizes=[64, 64], init="ddpg_uniform",
             config={"augmentations.grokfast_alpha": 0.9, "reward_clip_low": float("-inf")})
    assert s.algorithm_name == "sac-continuous"
    assert s.env_id == "LunarLanderContinuous-v3" and s.seed == 3 and s.total_steps == 5000
    assert s.preset == "lunarlander"
    assert values(s) == {
        "gamma": 0.98, "batch_size": 64, "learn_alpha": False, "hidden_sizes": ("int64", [64, 64]),
        "init": "ddpg_uniform", "augmentations.grokfast_alpha": 0.9, "reward_clip_low": float("-inf"),
    }
    kinds = {name: v.WhichOneof("kind") for name, v in s.config_values.items()}
    assert kinds["gamma"] == "float_value" and kinds["batch_size"] == "int_value"
    assert kinds["learn_alpha"] == "bool_value" and kinds["init"] == "string_value"
    assert kinds["hidden_sizes"] == "tensor_value"
    assert list(s.config_values["hidden_sizes"].tensor_value.shape) == [2]
    assert_no_deprecated_fields(s)


def test_old_call_sac_fourrooms():
    """The README's call before plug-ins: same arguments, now algorithm_name + config_values."""
    s = spec("sac", "FourRooms-v0", seed=1, episodes=300, grokfast=True, config={"hidden_sizes": [64]})
    assert s.algorithm_name == "sac" and s.total_episodes == 300 and s.seed == 1
    assert values(s) == {"augmentations.grokfast": True, "hidden_sizes": ("int64", [64])}
    assert_no_deprecated_fields(s)


def test_old_typed_config_forms_map_onto_config_values():
    # Every augmentation keyword, the augmentations dict, enum numbers and prefixed enum names of the
    # deprecated SacConfig / PpoConfig messages, upper-case algorithm names.
    s = spec("PPO", "CartPole-v1", steps=100, grade=True, grad_clip=0.5, weight_decay=1e-4,
             augmentations={"grokfast": True, "grade_kappa": 0.02},
             config={"advantage": agent_pb2.ADVANTAGE_ESTIMATOR_GAE, "init": "INIT_XAVIER_NORMAL",
                     "normalize_advantages": True, "epochs": 4},
             evaluation={"final_episodes": 3, "deterministic": False}, checkpoint_every_steps=0,
             env_options={"max_episode_steps": 50})
    assert s.algorithm_name == "ppo"
    assert values(s) == {
        "augmentations.grade": True, "augmentations.grad_clip": 0.5, "augmentations.weight_decay": 1e-4,
        "augmentations.grokfast": True, "augmentations.grade_kappa": 0.02,
        "advantage": "gae", "init": "xavier_normal", "normalize_advantages": True, "epochs": 4,
    }
    assert s.evaluation.final_episodes == 3 and s.evaluation.deterministic is False
    assert s.HasField("checkpoint_every_steps") and s.checkpoint_every_steps == 0
    assert from_value(s.env_options["max_episode_steps"]) == 50
    assert_no_deprecated_fields(s)
    # The deprecated enum's UNSPECIFIED meant "the preset's": not sent.
    assert values(spec("sac", "FourRooms-v0", steps=1, config={"init": agent_pb2.INIT_UNSPECIFIED})) == {}
    # The deprecated Algorithm enum's numbers still name the algorithm.
    assert spec(agent_pb2.ALGORITHM_SAC, "FourRooms-v0", steps=1).algorithm_name == "sac"


def test_config_dict_keywords_and_nested_dicts_merge():
    s = spec("soft-ppo", "CartPole-v1", steps=10, gamma=0.9,
             config={"augmentations": {"grokfast": True, "grokfast_lambda": 2}, "epochs": 3, "clip_eps": None})
    assert values(s) == {"gamma": 0.9, "augmentations.grokfast": True, "augmentations.grokfast_lambda": 2,
                         "epochs": 3}
    # The same field twice with the same value is fine; with different values it is an error.
    assert values(spec("sac", "FourRooms-v0", steps=1, grokfast=True, config={"augmentations.grokfast": True})) \
        == {"augmentations.grokfast": True}
    with pytest.raises(ValueError, match="augmentations.grokfast"):
        spec("sac", "FourRooms-v0", steps=1, grokfast=True, config={"augmentations.grokfast": False})
    with pytest.raises(ValueError, match="gamma"):
        spec("sac", "FourRooms-v0", steps=1, gamma=0.9, config={"gamma": 0.5})
    with pytest.raises(ValueError, match="grokfast"):
        spec("sac", "FourRooms-v0", steps=1, grokfast=True, augmentations={"grokfast": False})


def test_value_conversion():
    v = config_values({"a": True, "b": 3, "c": 0.5, "d": "gae", "e": np.int32(7), "f": np.float32(0.25),
                       "g": np.bool_(False), "h": (16, 8), "i": np.array([4], dtype=np.int32), "j": []})
    assert {k: x.WhichOneof("kind") for k, x in v.items()} == {
        "a": "bool_value", "b": "int_value", "c": "float_value", "d": "string_value", "e": "int_value",
        "f": "float_value", "g": "bool_value", "h": "tensor_value", "i": "tensor_value", "j": "tensor_value"}
    assert v["e"].int_value == 7 and v["f"].float_value == 0.25 and v["g"].bool_value is False
    for name, expected in (("h", [16, 8]), ("i", [4]), ("j", [])):
        t = v[name].tensor_value
        assert t.WhichOneof("payload") == "int64s" and list(t.int64s.values) == expected
        assert list(t.shape) == [len(expected)]
    for bad in ([0.5, 1.5], [[64]], [True, False], {1, 2}, object()):
        with pytest.raises(TypeError, match="hidden_sizes"):
            config_values(hidden_sizes=bad)


def test_spec_rejects_what_it_cannot_send():
    with pytest.raises(ValueError, match="exactly one budget"):
        spec("sac", "FourRooms-v0")
    with pytest.raises(ValueError, match="exactly one budget"):
        spec("sac", "FourRooms-v0", steps=1, episodes=1)
    with pytest.raises(ValueError, match="algorithm"):
        spec("", "FourRooms-v0", steps=1)
    with pytest.raises(ValueError, match="algorithm"):
        spec(None, "FourRooms-v0", steps=1)
    with pytest.raises(ValueError, match="every_episode"):
        spec("sac", "FourRooms-v0", steps=1, evaluation={"every_episode": 5})


def test_spec_grad_diagnostics():
    assert not spec("sac", "FourRooms-v0", steps=1).HasField("grad_diagnostics")
    assert spec("sac", "FourRooms-v0", steps=1, grad_diagnostics=25).grad_diagnostics == \
        agent_pb2.GradientDiagnostics(every=25)
    assert spec("ppo", "CartPole-v1", steps=1, grad_diagnostics="10,4,32").grad_diagnostics == \
        agent_pb2.GradientDiagnostics(every=10, minibatches=4, large_batch=32)
    assert spec("ppo", "CartPole-v1", steps=1, grad_diagnostics={"every": 10, "large_batch": 8}).grad_diagnostics == \
        agent_pb2.GradientDiagnostics(every=10, large_batch=8)
    for bad in ("often", True, {"evry": 3}, "1,2,3,4"):
        with pytest.raises(ValueError, match="grad_diagnostics"):
            spec("sac", "FourRooms-v0", steps=1, grad_diagnostics=bad)


def test_modern_spec_converts_a_legacy_spec():
    legacy = agent_pb2.TrainingSpec(
        algorithm=agent_pb2.ALGORITHM_SAC, env_id="FourRooms-v0", total_steps=10,
        sac=agent_pb2.SacConfig(gamma=0.9, hidden_sizes=[32], init=agent_pb2.INIT_DDPG_UNIFORM, learn_alpha=False),
    )
    legacy.config_values["gamma"].float_value = 0.8
    s = modern_spec(legacy)
    assert s.algorithm_name == "sac"
    assert values(s) == {"gamma": 0.8, "hidden_sizes": ("int64", [32]), "init": "ddpg_uniform",
                         "learn_alpha": False}, "config_values win over the typed message"
    assert s.algorithm == agent_pb2.ALGORITHM_UNSPECIFIED and s.WhichOneof("config") is None
    assert legacy.HasField("sac"), "the input is not changed"
    ppo = modern_spec(agent_pb2.TrainingSpec(algorithm=agent_pb2.ALGORITHM_PPO, env_id="CartPole-v1",
                                             ppo=agent_pb2.PpoConfig(advantage=agent_pb2.ADVANTAGE_ESTIMATOR_MC)))
    assert ppo.algorithm_name == "ppo" and values(ppo) == {"advantage": "mc"}
    assert spec_config(legacy)["hidden_sizes"] == [32]
    assert spec_config(legacy)["gamma"] == 0.8


def test_spec_config_reads_a_resolved_spec():
    s = spec("sac", "FourRooms-v0", steps=1, hidden_sizes=[64, 64], gamma=0.99, grokfast=True, init="ddpg_uniform")
    assert spec_config(s) == {"hidden_sizes": [64, 64], "gamma": 0.99, "augmentations.grokfast": True,
                              "init": "ddpg_uniform"}


# ------------------------------------------------------------------------------------------- requests


def test_train_request(offline):
    job = offline.train("sac", "FourRooms-v0", seed=1, episodes=300, grokfast=True, label="x", learning_starts=10)
    assert job.job_id == "job-1"
    (method, request), = offline._call.calls
    assert method == "StartTraining" and request.label == "x"
    assert request.spec.algorithm_name == "sac" and request.spec.total_episodes == 300
    assert values(request.spec) == {"augmentations.grokfast": True, "learning_starts": 10}
    assert_no_deprecated_fields(request.spec)


def test_benchmark_request(offline):
    legacy = agent_pb2.TrainingSpec(algorithm=agent_pb2.ALGORITHM_SAC, env_id="FourRooms-v0", total_steps=200,
                                    sac=agent_pb2.SacConfig(batch_size=32))
    offline.benchmark({
        "sac": AgentClient.spec("sac", "FourRooms-v0", steps=200),
        "sac+grokfast": {"algorithm": "sac", "env_id": "FourRooms-v0", "steps": 200, "grokfast": True},
        "legacy": legacy,
    }, seeds=[1, 2], score="mean")
    (method, request), = offline._call.calls
    assert method == "RunBenchmark"
    assert [v.name for v in request.variants] == ["sac", "sac+grokfast", "legacy"]
    for variant in request.variants:
        assert variant.spec.algorithm_name == "sac"
        assert_no_deprecated_fields(variant.spec)
    assert values(request.variants[1].spec) == {"augmentations.grokfast": True}
    assert values(request.variants[2].spec) == {"batch_size": 32}
    assert list(request.seeds) == [1, 2] and request.score == agent_pb2.BENCHMARK_SCORE_MEAN_EPISODE_RETURN
    with pytest.raises(ValueError, match="score"):
        offline.benchmark({}, seeds=[1], score="best")


def _algorithms_response():
    r = agent_pb2.ListAlgorithmsResponse()
    a = r.algorithms.add(name="ppo", description="PPO-Clip (Schulman et al. 2017)", action_kinds=["discrete"])
    f = a.fields.add(name="hidden_sizes", type="int_list", doc="hidden layer widths", range="each >= 1")
    f.default_value.tensor_value.CopyFrom(numpy_to_tensor(np.array([128, 128], dtype=np.int64)))
    f = a.fields.add(name="gamma", type="double", doc="discount factor gamma", range="[0, 1]")
    f.default_value.float_value = 0.99
    f = a.fields.add(name="advantage", type="enum", doc="advantage estimator", range="one of mc, gae",
                     choices=["mc", "gae"])
    f.default_value.string_value = "mc"
    f = a.fields.add(name="augmentations.grokfast", type="bool", doc="Grokfast-EMA gradient filter")
    f.default_value.bool_value = False
    p = a.presets.add(name="paper")
    p.values["gamma"].float_value = 0.99
    p.values["advantage"].string_value = "mc"
    p = a.presets.add(name="cartpole")
    p.values["gamma"].float_value = 0.98
    p.values["advantage"].string_value = "gae"
    r.algorithms.add(name="sac-continuous", description="SAC for continuous actions",
                     action_kinds=["continuous"])
    return r


def test_algorithms_are_objects_that_print_as_tables(offline):
    offline._call.responses["ListAlgorithms"] = _algorithms_response()
    algos = offline.algorithms()
    assert isinstance(algos, Algorithms) and len(algos) == 2
    assert algos.names == ["ppo", "sac-continuous"] and "ppo" in algos and "dqn" not in algos
    ppo = algos["ppo"]
    assert isinstance(ppo, AlgorithmInfo) and algos[0] is ppo
    assert ppo.action_kinds == ("discrete",)
    assert ppo.field("hidden_sizes").default == [128, 128]
    assert ppo.field("advantage").choices == ("mc", "gae")
    assert ppo.defaults == {"hidden_sizes": [128, 128], "gamma": 0.99, "advantage": "mc",
                            "augmentations.grokfast": False}
    assert ppo.preset("cartpole").values == {"gamma": 0.98, "advantage": "gae"}
    with pytest.raises(KeyError, match="gamma"):
        ppo.field("gama")
    with pytest.raises(KeyError, match="ppo, sac-continuous"):
        algos["dqn"]

    table = str(algos)
    lines = table.splitlines()
    assert lines[0].split() == ["algorithm", "actions", "fields", "presets", "description"]
    assert lines[1].split()[:4] == ["ppo", "discrete", "4", "paper,"]
    assert "sac-continuous" in lines[2] and "continuous" in lines[2]
    assert repr(algos) == "Algorithms(['ppo', 'sac-continuous'])"

    text = str(ppo)
    assert text.startswith("ppo: PPO-Clip (Schulman et al. 2017)")
    rows = {line.split()[0]: line for line in text.splitlines() if line and not line.startswith(("ppo:", "pre"))}
    assert rows["gamma"].split()[:4] == ["gamma", "double", "0.99", "[0,"]
    assert "[128, 128]" in rows["hidden_sizes"] and "each >= 1" in rows["hidden_sizes"]
    assert "one of mc, gae" in rows["advantage"]
    assert "augmentations.grokfast" in rows
    assert "preset cartpole: gamma=0.98, advantage=gae" in text
    assert algos.describe().count("\n\n") >= 2
    assert offline.algorithm("sac-continuous").fields == ()


# ------------------------------------------------------------------------------------------- act, download


def test_act_continuous_returns_float_actions(offline):
    response = agent_pb2.ActResponse(actions=numpy_to_tensor(np.array([[0.5, -1.0], [0.0, 0.25]], dtype=np.float32)))
    offline._call.responses["Act"] = response
    actions, probabilities = offline.act("model-1", np.zeros((2, 8)))
    assert actions.dtype == np.float32 and actions.shape == (2, 2)
    np.testing.assert_array_equal(actions, [[0.5, -1.0], [0.0, 0.25]])
    assert probabilities is None
    (_, request), = offline._call.calls
    assert list(request.observations.shape) == [2, 8] and request.observations.WhichOneof("payload") == "floats"


class FakeStub:
    def __init__(self, data: bytes, info):
        self.data, self.info, self.requests = data, info, []

    def GetModel(self, request, metadata=()):
        self.requests.append(request)
        for i, offset in enumerate(range(0, len(self.data), 3)):
            chunk = agent_pb2.ModelChunk(offset=offset, data=self.data[offset:offset + 3], total_bytes=len(self.data))
            if i == 0:
                chunk.info.CopyFrom(self.info)
            yield chunk


def test_download_model_formats(offline, tmp_path):
    data = b"0123456789"
    info = agent_pb2.ModelInfo(model_id="model-1", size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    offline.stub = FakeStub(data, info)
    got_info, path = offline.download_model("model-1", tmp_path / "m.zip")
    assert path.read_bytes() == data and got_info.model_id == "model-1"
    assert offline.stub.requests[-1].format == agent_pb2.MODEL_FORMAT_GYMRPC

    dl4j = b"a DL4J zip, other bytes"
    exported = agent_pb2.ModelInfo(model_id="model-1", size_bytes=len(dl4j), sha256=hashlib.sha256(dl4j).hexdigest())
    offline.stub = FakeStub(dl4j, exported)     # an export's info describes the exported file
    _, raw = offline.download_model("model-1", format="DL4J")
    assert raw == dl4j and offline.stub.requests[-1].format == agent_pb2.MODEL_FORMAT_DL4J
    offline.stub = FakeStub(dl4j, info)
    with pytest.raises(Exception, match="incomplete or corrupt"):
        offline.download_model("model-1", format="dl4j")

    offline.stub = FakeStub(data + b"x", info)
    with pytest.raises(Exception, match="incomplete or corrupt"):
        offline.download_model("model-1")
    with pytest.raises(ValueError, match="gymrpc, dl4j"):
        offline.download_model("model-1", format="onnx")


def test_list_jobs_by_state_name(offline):
    offline._call.responses["ListJobs"] = agent_pb2.ListJobsResponse()
    assert offline.list_jobs("running") == []
    offline.list_jobs(agent_pb2.JOB_STATE_FAILED, limit=3)
    assert [r.state for _, r in offline._call.calls] == [agent_pb2.JOB_STATE_RUNNING, agent_pb2.JOB_STATE_FAILED]
    with pytest.raises(ValueError, match="queued, running, succeeded"):
        offline.list_jobs("done")


def test_names_come_from_algorithm_name_for_plug_in_algorithms():
    """algo-api: jobs and models name their algorithm by string ("sac-continuous" has no enum value)."""
    job = agent_pb2.Job(job_id="job-2", state=agent_pb2.JOB_STATE_SUCCEEDED, model_id="model-2",
                        training=agent_pb2.TrainingSpec(algorithm_name="sac-continuous",
                                                        env_id="LunarLanderContinuous-v3"),
                        progress=agent_pb2.JobProgress(global_step=500, episodes=4))
    assert describe_job(job) == "job-2 sac-continuous LunarLanderContinuous-v3 SUCCEEDED (step 500, 4 episodes); " \
                                "model model-2"
    info = agent_pb2.ModelInfo(model_id="model-2", algorithm_name="soft-ppo", env_id="CartPole-v1", job_id="job-2")
    assert describe_model(info) == "model-2 soft-ppo CartPole-v1 (step 0, 0 episodes, job job-2)"

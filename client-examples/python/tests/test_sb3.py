"""The SB3 VecEnv adapter (gymrpc.sb3): DummyVecEnv's contract on one batched server stream.

The contract tests run without SB3: the reference is DummyVecEnv's documented loop (one env per sub-env,
done = terminated or truncated, reset at once, terminal_observation / TimeLimit.truncated in info), written
out below over single gymrpc envs. With stable-baselines3 installed the adapter is also checked against SB3's
own DummyVecEnv, SB3's check_env and wrappers, and a short PPO run.
"""

from __future__ import annotations

import numpy as np
import pytest

import gymrpc
from gymrpc.sb3 import HAVE_SB3, RemoteVecEnv, make_vec_env, unbatch_infos

N = 4
LIMIT = 12  # a short time limit, so truncations happen next to terminations


class _DummyReference:
    """DummyVecEnv.reset/step_wait (stable_baselines3/common/vec_env/dummy_vec_env.py) over gymrpc envs."""

    def __init__(self, address, n, seed):
        self.envs = [gymrpc.make("CartPole-v1", address=address, max_episode_steps=LIMIT) for _ in range(n)]
        self.seed = seed

    def reset(self):
        obs = np.stack([env.reset(seed=self.seed + i)[0] for i, env in enumerate(self.envs)])
        return obs

    def step(self, actions):
        obs, rews, dones, infos = [], [], [], []
        for env, a in zip(self.envs, actions):
            o, r, term, trunc, info = env.step(int(a))
            info["TimeLimit.truncated"] = trunc and not term
            if term or trunc:
                info["terminal_observation"] = o
                o, _ = env.reset()
            obs.append(o)
            rews.append(r)
            dones.append(term or trunc)
            infos.append(info)
        return np.stack(obs), np.array(rews, dtype=np.float32), np.array(dones), infos

    def close(self):
        for env in self.envs:
            env.close()


def _assert_same(ours, ref):
    obs, rews, dones, infos = ours
    np.testing.assert_array_equal(obs, ref[0])
    assert rews.dtype == np.float32 and dones.dtype == np.bool_
    np.testing.assert_array_equal(rews, ref[1])
    np.testing.assert_array_equal(dones, ref[2])
    assert len(infos) == len(ref[3])
    for mine, theirs in zip(infos, ref[3]):
        assert mine.keys() == theirs.keys()
        assert mine["TimeLimit.truncated"] == theirs["TimeLimit.truncated"]
        if "terminal_observation" in theirs:
            np.testing.assert_array_equal(mine["terminal_observation"], theirs["terminal_observation"])


def test_matches_dummy_vec_env_semantics_step_by_step(server_address):
    venv = RemoteVecEnv("CartPole-v1", N, address=server_address, max_episode_steps=LIMIT, threads=1)
    ref = _DummyReference(server_address, N, seed=10)
    try:
        assert venv.num_envs == N and venv.observation_space.shape == (4,)
        assert venv.seed(10) == [10, 11, 12, 13]
        np.testing.assert_array_equal(venv.reset(), ref.reset())
        rng = np.random.default_rng(0)
        terminated = truncated = 0
        for _ in range(3 * LIMIT):
            # alternating pushes keep some poles up until the time limit; random ones let others fall
            actions = np.where(np.arange(N) < 2, np.arange(N) % 2, rng.integers(0, 2, N))
            venv.step_async(actions)
            ours = venv.step_wait()
            _assert_same(ours, ref.step(actions))
            terminated += sum(d and not i["TimeLimit.truncated"] for d, i in zip(ours[2], ours[3]))
            truncated += sum(i["TimeLimit.truncated"] for i in ours[3])
        assert terminated > 0 and truncated > 0
    finally:
        venv.close()
        ref.close()


def test_seeds_apply_once_and_reset_continues_the_generators(server_address):
    venv = RemoteVecEnv("CartPole-v1", N, address=server_address, threads=1)
    twin = RemoteVecEnv("CartPole-v1", N, address=server_address, threads=1)
    try:
        venv.seed(3)
        twin.seed(3)
        first = venv.reset()
        np.testing.assert_array_equal(first, twin.reset())
        second = venv.reset()  # no seed now: continues each generator, so a new start
        assert not np.array_equal(first, second)
        np.testing.assert_array_equal(second, twin.reset())
        venv.seed(3)
        np.testing.assert_array_equal(venv.reset(), first)
        # per-sub-env seeds that are not s + i go one by one
        venv._seeds = [5, 1, 9, 3]
        obs = venv.reset()
        single = gymrpc.make("CartPole-v1", address=server_address)
        try:
            for i, s in enumerate([5, 1, 9, 3]):
                np.testing.assert_array_equal(obs[i], single.reset(seed=s)[0])
        finally:
            single.close()
    finally:
        venv.close()
        twin.close()


def test_vec_env_plumbing(server_address):
    venv = RemoteVecEnv("LunarLander-v3", 2, address=server_address, render_mode="rgb_array")
    try:
        assert venv.get_attr("render_mode") == ["rgb_array", "rgb_array"]
        assert venv.get_attr("num_envs", indices=[1]) == [2]
        assert venv.env_is_wrapped(object) == [False, False]
        assert len(venv.reset_infos) == 2
        venv.reset()
        frames = venv.get_images()
        assert len(frames) == 2 and frames[0].shape == (400, 600, 3) and frames[0].dtype == np.uint8
        with pytest.raises(AttributeError, match="only 'render'"):
            venv.env_method("seed", 1)
        with pytest.raises(AttributeError, match="make options"):
            venv.set_attr("gravity", -5.0)
        obs, rews, dones, infos = venv.step(np.array([0, 1]))
        assert obs.shape == (2, 8) and rews.shape == (2,) and len(infos) == 2
    finally:
        venv.close()
    venv.close()  # idempotent


def test_unbatch_infos():
    infos = {"a": np.array([1, 0, 3]), "_a": np.array([True, False, True]),
             "final_info": {"x": np.array([0.0, 2.0, 0.0]), "_x": np.array([False, True, False])},
             "_final_info": np.array([False, True, False])}
    assert unbatch_infos(infos, 3) == [{"a": 1}, {"final_info": {"x": 2.0}}, {"a": 3}]


def test_make_vec_env_without_monitor(server_address):
    venv = make_vec_env("CartPole-v1", n_envs=3, seed=0, address=server_address, monitor=False, threads=1)
    try:
        assert isinstance(venv, RemoteVecEnv)
        assert venv.reset().shape == (3, 4)
    finally:
        venv.close()


# ------------------------------------------------------------------------------------ with SB3 installed



@pytest.fixture
def need_sb3():
    if not HAVE_SB3:
        pytest.skip('stable-baselines3 is not installed (pip install "gymrpc[sb3]")')


def test_sb3_dummy_vec_env_over_single_envs_is_the_reference(server_address, need_sb3):
    from stable_baselines3.common.vec_env import DummyVecEnv, VecEnv

    venv = RemoteVecEnv("CartPole-v1", N, address=server_address, max_episode_steps=LIMIT, threads=1)
    dummy = DummyVecEnv([lambda: gymrpc.make("CartPole-v1", address=server_address, max_episode_steps=LIMIT)
                         for _ in range(N)])
    try:
        assert isinstance(venv, VecEnv)
        venv.seed(4)
        dummy.seed(4)
        np.testing.assert_array_equal(venv.reset(), dummy.reset())
        rng = np.random.default_rng(1)
        for _ in range(3 * LIMIT):
            actions = rng.integers(0, 2, N)
            a, b = venv.step(actions), dummy.step(actions)
            np.testing.assert_array_equal(a[0], b[0])
            np.testing.assert_array_equal(a[1], b[1])
            np.testing.assert_array_equal(a[2], b[2])
            for mine, theirs in zip(a[3], b[3]):
                assert mine.keys() == theirs.keys()
                assert mine["TimeLimit.truncated"] == theirs["TimeLimit.truncated"]
                if "terminal_observation" in theirs:
                    np.testing.assert_array_equal(mine["terminal_observation"], theirs["terminal_observation"])
    finally:
        venv.close()
        dummy.close()


def test_sb3_check_env_and_wrappers(server_address, need_sb3):
    from stable_baselines3.common.env_checker import check_env
    from stable_baselines3.common.vec_env import VecFrameStack, VecMonitor, VecNormalize

    for env_id in ("CartPole-v1", "LunarLander-v3", "FourRooms-v0"):
        env = gymrpc.make(env_id, address=server_address)
        try:
            check_env(env, warn=True)
        finally:
            env.close()
    venv = VecNormalize(VecFrameStack(make_vec_env("LunarLander-v3", 4, seed=0, address=server_address), 2))
    try:
        assert venv.reset().shape == (4, 16)
        for _ in range(5):
            obs, rews, dones, infos = venv.step(np.zeros(4, dtype=np.int64))
        assert obs.shape == (4, 16)
    finally:
        venv.close()
    assert isinstance(make_vec_env("CartPole-v1", 1, address=server_address), VecMonitor)


def test_sb3_short_ppo_run_and_evaluate(server_address, need_sb3):
    from stable_baselines3 import PPO
    from stable_baselines3.common.evaluation import evaluate_policy

    venv = make_vec_env("CartPole-v1", n_envs=8, seed=0, address=server_address, threads=1)
    try:
        model = PPO("MlpPolicy", venv, n_steps=64, batch_size=128, n_epochs=2, seed=0, device="cpu")
        model.learn(total_timesteps=2048)
        assert model.num_timesteps >= 2048
        assert len(model.ep_info_buffer) > 0  # VecMonitor's episodes reach rollout/ep_rew_mean
        mean, std = evaluate_policy(model, venv, n_eval_episodes=8)
        assert mean > 0
    finally:
        venv.close()

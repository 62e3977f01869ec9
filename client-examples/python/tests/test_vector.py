"""Vector-env semantics (Gymnasium 1.x): autoreset modes, seeds s + i, reset_mask, infos, metadata."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import gymrpc

N = 4


@pytest.fixture(params=[False, True], ids=["unary", "stream"])
def streaming(request):
    return request.param


def _single_trajectory(address, seed, actions):
    env = gymrpc.make("CartPole-v1", address=address)
    try:
        obs = [env.reset(seed=seed)[0]]
        rewards, ends = [], []
        for a in actions:
            o, r, term, trunc, _ = env.step(int(a))
            obs.append(o)
            rewards.append(r)
            ends.append((term, trunc))
            if term or trunc:
                break
        return obs, rewards, ends
    finally:
        env.close()


def test_spaces_and_metadata(server_address, streaming):
    envs = gymrpc.make_vec("LunarLander-v3", N, address=server_address, streaming=streaming)
    try:
        assert envs.num_envs == N
        assert envs.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
        assert envs.single_observation_space.shape == (8,)
        assert envs.observation_space.shape == (N, 8) and envs.observation_space.dtype == np.float32
        assert envs.single_action_space == gym.spaces.Discrete(4)
        assert envs.action_space == gym.spaces.MultiDiscrete([4] * N)
        obs, infos = envs.reset(seed=0)
        assert obs.shape == (N, 8) and obs.dtype == np.float32 and obs in envs.observation_space
        assert isinstance(infos, dict)
        obs, rewards, terminated, truncated, infos = envs.step(envs.action_space.sample())
        assert rewards.shape == (N,) and rewards.dtype == np.float64
        assert terminated.dtype == np.bool_ and truncated.dtype == np.bool_
    finally:
        envs.close()
        envs.close()


def test_reset_seed_s_seeds_sub_env_i_with_s_plus_i(server_address, streaming):
    actions = np.random.default_rng(3).integers(0, 2, (60, N))
    envs = gymrpc.make_vec("CartPole-v1", N, address=server_address, streaming=streaming)
    try:
        obs, _ = envs.reset(seed=100)
        batch = [obs]
        for a in actions[:5]:
            batch.append(envs.step(a)[0])
    finally:
        envs.close()
    for i in range(N):
        single, _, _ = _single_trajectory(server_address, 100 + i, actions[:5, i])
        np.testing.assert_array_equal(np.array([b[i] for b in batch]), np.array(single[:6]))


def test_next_step_autoreset(server_address, streaming):
    """The step after an end ignores the action and returns the reset obs with reward 0 and flags false."""
    envs = gymrpc.make_vec("CartPole-v1", N, address=server_address, streaming=streaming)
    try:
        envs.reset(seed=0)
        ended_at = None
        for t in range(500):
            obs, rewards, terminated, truncated, _ = envs.step(np.ones(N, dtype=np.int64))  # always push right
            if (terminated | truncated).any():
                ended_at = t
                done = terminated | truncated
                break
        assert ended_at is not None
        obs_after, rewards_after, term_after, trunc_after, _ = envs.step(np.zeros(N, dtype=np.int64))
        for i in np.flatnonzero(done):
            assert rewards_after[i] == 0.0 and not term_after[i] and not trunc_after[i]
            # a reset CartPole state: every component in [-0.05, 0.05] (cartpole.py reset)
            assert np.all(np.abs(obs_after[i]) <= 0.05)
    finally:
        envs.close()


def test_next_step_autoreset_continues_the_sub_env_generator(server_address):
    """Sub-env i's autoreset draws from its own generator seeded s + i, as a single env's reset() does."""
    envs = gymrpc.make_vec("CartPole-v1", 1, address=server_address)
    try:
        envs.reset(seed=9)
        while True:
            _, _, term, trunc, _ = envs.step(np.ones(1, dtype=np.int64))
            if term[0] or trunc[0]:
                break
        autoreset_obs = envs.step(np.ones(1, dtype=np.int64))[0][0]
    finally:
        envs.close()
    env = gymrpc.make("CartPole-v1", address=server_address)
    try:
        env.reset(seed=9)
        while True:
            _, _, term, trunc, _ = env.step(1)
            if term or trunc:
                break
        np.testing.assert_array_equal(env.reset()[0], autoreset_obs)
    finally:
        env.close()


def test_same_step_autoreset_puts_final_obs_in_info(server_address):
    envs = gymrpc.make_vec("CartPole-v1", N, address=server_address, autoreset_mode=AutoresetMode.SAME_STEP)
    try:
        assert envs.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
        envs.reset(seed=0)
        for _ in range(500):
            obs, rewards, terminated, truncated, infos = envs.step(np.ones(N, dtype=np.int64))
            done = terminated | truncated
            if done.any():
                break
        assert "final_obs" in infos and np.array_equal(infos["_final_obs"], done)
        for i in np.flatnonzero(done):
            final = infos["final_obs"][i]
            assert final.shape == (4,) and abs(final[2]) > 0.2  # the pole fell past the 12 degree limit
            assert np.all(np.abs(obs[i]) <= 0.05)  # already reset
            assert rewards[i] == 1.0
    finally:
        envs.close()


def test_disabled_autoreset_and_reset_mask(server_address, streaming):
    envs = gymrpc.make_vec("CartPole-v1", N, address=server_address, autoreset_mode="Disabled", streaming=streaming)
    try:
        assert envs.metadata["autoreset_mode"] == AutoresetMode.DISABLED
        obs0, _ = envs.reset(seed=0)
        for _ in range(500):
            obs, _, terminated, truncated, _ = envs.step(np.ones(N, dtype=np.int64))
            done = terminated | truncated
            if done.any():
                break
        with pytest.raises(gymrpc.ResetNeededError, match="reset_mask"):
            envs.step(np.ones(N, dtype=np.int64))
        mask = done.copy()
        new_obs, _ = envs.reset(options={"reset_mask": mask})
        np.testing.assert_array_equal(new_obs[~mask], obs[~mask])  # untouched sub-envs keep their obs
        assert np.all(np.abs(new_obs[mask]) <= 0.05)
        envs.step(np.zeros(N, dtype=np.int64))  # usable again
    finally:
        envs.close()


def test_reset_with_a_list_of_seeds(server_address):
    seeds = [5, 17, 3, 40]
    envs = gymrpc.make_vec("CartPole-v1", N, address=server_address)
    try:
        obs, _ = envs.reset(seed=seeds)
    finally:
        envs.close()
    for i, s in enumerate(seeds):
        single, _, _ = _single_trajectory(server_address, s, [])
        np.testing.assert_array_equal(obs[i], single[0])


def test_gymnasium_make_vec_uses_the_server_batch(server_address):
    envs = gym.make_vec("gymrpc/CartPole-v1", num_envs=3, address=server_address)
    try:
        assert isinstance(envs.unwrapped, gymrpc.RemoteVectorEnv)
        obs, _ = envs.reset(seed=1)
        assert obs.shape == (3, 4)
    finally:
        envs.close()


def test_bad_batch_leaves_every_sub_env_untouched(server_address):
    envs = gymrpc.make_vec("LunarLanderContinuous-v3", 2, address=server_address)
    try:
        obs, _ = envs.reset(seed=0)
        bad = np.array([[0.0, 0.0], [5.0, 0.0]], dtype=np.float32)  # sub-env 1 out of [-1, 1]
        with pytest.raises(gymrpc.InvalidActionError):
            envs.step(bad)
        ok = envs.step(np.zeros((2, 2), dtype=np.float32))[0]
    finally:
        envs.close()
    env = gymrpc.make("LunarLanderContinuous-v3", address=server_address)
    try:
        env.reset(seed=0)
        np.testing.assert_array_equal(env.step(np.zeros(2, np.float32))[0], ok[0])
    finally:
        env.close()


def test_default_server_threads_and_results_independent_of_threads(server_address):
    """The server's default is one thread per 16 sub-envs (capped at its cores); results match a one-thread
    batch exactly."""
    import os

    n = 40  # two server threads (on a machine with 2+ cores) of 20 sub-envs each
    actions = np.random.default_rng(3).integers(0, 4, (100, n))
    runs = []
    for threads in (None, 1):
        envs = gymrpc.make_vec("LunarLander-v3", n, address=server_address, threads=threads)
        # The test server runs on this machine, so it has os.cpu_count() cores.
        assert envs.threads == (max(1, min(n // 16, os.cpu_count())) if threads is None else 1)
        try:
            steps = [envs.reset(seed=9)[0]]
            for a in actions:  # 100 steps: landers crash from step 64 on and autoreset (NEXT_STEP)
                obs, reward, terminated, truncated, _ = envs.step(a)
                steps += [obs, reward, terminated, truncated]
        finally:
            envs.close()
        runs.append(steps)
    for got, want in zip(*runs):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_packed_batch_encoding_matches_the_1_0_form(server_address, streaming, mode, monkeypatch):
    """Protocol 1.1's packed batch (raw little-endian observations, all-empty infos left out) gives the same
    step results as the 1.0 form, which a client that does not ask for it still gets."""
    from gymrpc import vector as vector_module
    from gymrpc._pb import env_pb2

    packed = gymrpc.make_vec("CartPole-v1", N, address=server_address, streaming=streaming, autoreset_mode=mode)
    monkeypatch.setattr(vector_module, "_PACKED", env_pb2.BatchEncoding.BATCH_ENCODING_UNSPECIFIED)
    old = gymrpc.make_vec("CartPole-v1", N, address=server_address, streaming=streaming, autoreset_mode=mode)
    rng = np.random.default_rng(5)
    try:
        assert np.array_equal(packed.reset(seed=3)[0], old.reset(seed=3)[0])
        ends = 0
        for _ in range(300):
            actions = rng.integers(0, 2, N)
            monkeypatch.setattr(vector_module, "_PACKED", env_pb2.BatchEncoding.BATCH_ENCODING_PACKED)
            got = packed.step(actions)
            monkeypatch.setattr(vector_module, "_PACKED", env_pb2.BatchEncoding.BATCH_ENCODING_UNSPECIFIED)
            want = old.step(actions)
            assert got[0].dtype == np.float32 and got[0].shape == (N, 4) and got[0].flags.writeable
            assert got[0].tobytes() == want[0].tobytes()  # bit for bit
            for g, w in zip(got[1:4], want[1:4]):
                assert g.dtype == w.dtype and np.array_equal(g, w)
            assert got[4].keys() == want[4].keys()
            for key in want[4]:
                if key == "final_obs":
                    for a, b in zip(got[4][key], want[4][key]):
                        assert (a is None and b is None) or np.array_equal(a, b)
                elif key != "final_info":
                    assert np.array_equal(got[4][key], want[4][key]), key
            ends += int((want[2] | want[3]).sum())
        assert ends > 3
    finally:
        packed.close()
        old.close()


def test_packed_observations_of_the_wrong_size_are_a_protocol_error():
    from gymrpc.env import ObservationDecoder
    from gymrpc.errors import ProtocolError

    decode = ObservationDecoder(gym.spaces.Box(-1, 1, (3,), np.float32), batch=2)
    data = np.arange(6, dtype="<f4").tobytes()
    assert np.array_equal(decode.packed(data), np.arange(6, dtype=np.float32).reshape(2, 3))
    with pytest.raises(ProtocolError, match="24"):
        decode.packed(data[:-4])

"""Env farm: ``make_vec(..., address=[a, b])`` over two servers behaves as one server's vector env."""

from __future__ import annotations

import numpy as np
import pytest

import gymrpc
from gymrpc.farm import EnvFarm, split_envs
from gymrpc.testing import LocalServer


@pytest.fixture(scope="module")
def second_server(server_jar):
    server = LocalServer(server_jar, heap="256m")
    try:
        server.start()
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server.address
    finally:
        server.stop()


def test_split_envs():
    assert split_envs(5, 2) == [3, 2]
    assert split_envs(4, 4) == [1, 1, 1, 1]
    assert split_envs(2, 3) == [1, 1, 0]
    with pytest.raises(ValueError):
        split_envs(3, 0)


def _run(envs, seed, actions, masked_reset_at=None):
    out = [envs.reset(seed=seed)[0]]
    rewards, terms, truncs = [], [], []
    for t, a in enumerate(actions):
        if masked_reset_at is not None and t == masked_reset_at:
            mask = np.zeros(envs.num_envs, dtype=bool)
            mask[::2] = True
            out.append(envs.reset(seed=seed + 100, options={"reset_mask": mask})[0])
        o, r, term, trunc, _ = envs.step(a)
        out.append(o)
        rewards.append(r)
        terms.append(term)
        truncs.append(trunc)
    return np.array(out), np.array(rewards), np.array(terms), np.array(truncs)


@pytest.mark.parametrize("env_id,n,steps", [("CartPole-v1", 5, 120), ("LunarLander-v3", 3, 80)])
def test_two_servers_match_one_server(server_address, second_server, env_id, n, steps):
    single = gymrpc.make_vec(env_id, n, address=server_address)
    farm = gymrpc.make_vec(env_id, n, address=[server_address, second_server])
    try:
        assert isinstance(farm, EnvFarm) and farm.counts == split_envs(n, 2)
        assert farm.observation_space == single.observation_space
        assert farm.action_space == single.action_space
        assert farm.metadata["autoreset_mode"] == single.metadata["autoreset_mode"]
        actions = np.random.default_rng(7).integers(0, single.single_action_space.n, (steps, n))
        a = _run(single, 11, actions, masked_reset_at=steps // 2)
        b = _run(farm, 11, actions, masked_reset_at=steps // 2)
        assert a[2].any() or a[3].any(), "the run should include an episode end (autoreset)"
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    finally:
        single.close()
        farm.close()


def test_per_sub_env_seed_list_and_infos(server_address, second_server):
    single = gymrpc.make_vec("CartPole-v1", 4, address=server_address)
    farm = gymrpc.make_vec("CartPole-v1", 4, address=[server_address, second_server])
    try:
        seeds = [10, 20, 30, 40]
        np.testing.assert_array_equal(single.reset(seed=seeds)[0], farm.reset(seed=seeds)[0])
        actions = np.ones(4, dtype=np.int64)
        for _ in range(60):
            s = single.step(actions)
            f = farm.step(actions)
            np.testing.assert_array_equal(s[0], f[0])
            assert s[4].keys() == f[4].keys()
            for key in s[4]:
                np.testing.assert_array_equal(s[4][key], f[4][key])
    finally:
        single.close()
        farm.close()
        farm.close()

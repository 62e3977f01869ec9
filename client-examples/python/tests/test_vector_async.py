"""Overlapping client and server: step_async/step_wait, and EnvPool-style send/recv with batch_size < num_envs.

A grouped vector env (num_envs / batch_size server vector envs on one stream) must be indistinguishable from
one server vector env through the Gymnasium API: same seeds (s + i), observations, rewards, flags, infos.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import gymrpc

N = 6


def _assert_same_step(a, b):
    for x, y in zip(a[:4], b[:4]):
        np.testing.assert_array_equal(x, y)
    assert a[4].keys() == b[4].keys()
    for key in a[4]:
        if key == "final_obs":
            for u, v in zip(a[4][key], b[4][key]):
                np.testing.assert_array_equal(u, v)
        elif not isinstance(a[4][key], dict):
            np.testing.assert_array_equal(a[4][key], b[4][key])


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "unary"])
def test_groups_match_one_server_vector_env(server_address, mode, streaming):
    one = gymrpc.make_vec("CartPole-v1", N, address=server_address, autoreset_mode=mode, threads=1)
    grouped = gymrpc.make_vec("CartPole-v1", N, address=server_address, autoreset_mode=mode, threads=1,
                              batch_size=2, streaming=streaming)
    try:
        assert grouped.batch_size == 2 and grouped.num_envs == N and one.batch_size == N
        assert grouped.observation_space == one.observation_space
        np.testing.assert_array_equal(one.reset(seed=7)[0], grouped.reset(seed=7)[0])
        rng = np.random.default_rng(0)
        ended = False
        for _ in range(60):  # CartPole episodes end within 60 random steps: autoresets are covered
            actions = rng.integers(0, 2, N)
            a, b = one.step(actions), grouped.step(actions)
            _assert_same_step(a, b)
            ended |= bool(np.any(a[2] | a[3]))
        assert ended
        mask = np.array([True, False, False, False, True, True])
        np.testing.assert_array_equal(one.reset(options={"reset_mask": mask})[0],
                                      grouped.reset(options={"reset_mask": mask})[0])
        seeds = [3, None, 10, 11, None, 40]
        np.testing.assert_array_equal(one.reset(seed=seeds)[0], grouped.reset(seed=seeds)[0])
        _assert_same_step(one.step(np.ones(N, dtype=np.int64)), grouped.step(np.ones(N, dtype=np.int64)))
    finally:
        one.close()
        grouped.close()


def test_step_async_then_step_wait_is_step(server_address):
    a = gymrpc.make_vec("LunarLander-v3", 4, address=server_address)
    b = gymrpc.make_vec("LunarLander-v3", 4, address=server_address)
    try:
        a.reset(seed=1)
        b.reset(seed=1)
        for actions in np.random.default_rng(1).integers(0, 4, (20, 4)):
            b.step_async(actions)
            assert b.pending == 1
            _assert_same_step(a.step(actions), b.step_wait())
        with pytest.raises(gym.error.NoAsyncCallError):
            b.step_wait()
        b.step_async(np.zeros(4, dtype=np.int64))
        with pytest.raises(gym.error.AlreadyPendingCallError):
            b.step(np.zeros(4, dtype=np.int64))
        with pytest.raises(gym.error.AlreadyPendingCallError):
            b.reset()
        b.step_wait()
    finally:
        a.close()
        b.close()


def test_send_recv_envpool_loop_matches_synchronous_stepping(server_address):
    """async_reset, then recv a group / send its actions: each sub-env follows the trajectory it has in a
    synchronous vector env given the same actions."""
    sync = gymrpc.make_vec("LunarLander-v3", 4, address=server_address)
    pool = gymrpc.make_vec("LunarLander-v3", 4, address=server_address, batch_size=2)
    try:
        obs0, _ = sync.reset(seed=5)
        pool.async_reset(seed=5)
        assert pool.pending == 2
        rng = np.random.default_rng(2)
        sync_actions = rng.integers(0, 4, (15, 4))
        seen = {0: 0, 1: 0}
        expected = [obs0]
        for actions in sync_actions:
            expected.append(sync.step(actions))
        for _ in range(2 * len(sync_actions) + 2):
            obs, rew, term, trunc, info = pool.recv()
            ids = info["env_id"]
            assert len(ids) == 2 and obs.shape == (2, 8)
            g = int(ids[0]) // 2
            k = seen[g]
            if k == 0:
                np.testing.assert_array_equal(obs, obs0[ids])
                assert not rew.any() and not term.any() and not trunc.any()
            else:
                result = expected[k]
                np.testing.assert_array_equal(obs, result[0][ids])
                np.testing.assert_array_equal(rew, result[1][ids])
                np.testing.assert_array_equal(term, result[2][ids])
            seen[g] = k + 1
            if k < len(sync_actions):
                pool.send(sync_actions[k][ids], ids)
        assert seen == {0: len(sync_actions) + 1, 1: len(sync_actions) + 1}
        assert pool.pending == 0
    finally:
        sync.close()
        pool.close()


def test_send_checks_env_ids_and_in_flight_groups(server_address):
    pool = gymrpc.make_vec("CartPole-v1", 4, address=server_address, batch_size=2, threads=1)
    try:
        with pytest.raises(gym.error.NoAsyncCallError):
            pool.recv()
        pool.async_reset(seed=0)
        with pytest.raises(gym.error.AlreadyPendingCallError):
            pool.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
        pool.recv()
        with pytest.raises(ValueError, match="whole groups"):
            pool.send(np.zeros(2, dtype=np.int64), np.array([1, 2]))
        pool.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
        pool.recv()
        pool.recv()  # group 1's reset
        # several groups in one send, in any order: results come back in the order sent
        pool.send(np.array([1, 1, 0, 0]), np.array([2, 3, 0, 1]))
        assert pool.recv()[4]["env_id"].tolist() == [2, 3]
        assert pool.recv()[4]["env_id"].tolist() == [0, 1]
        pool.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
        # close() with requests in flight collects them and closes every group
    finally:
        pool.close()
    assert pool.closed


def test_a_bad_action_in_one_group_steps_no_group(server_address):
    envs = gymrpc.make_vec("CartPole-v1", 4, address=server_address, batch_size=2, threads=1)
    twin = gymrpc.make_vec("CartPole-v1", 4, address=server_address, threads=1)
    try:
        envs.reset(seed=3)
        twin.reset(seed=3)
        with pytest.raises(gymrpc.InvalidActionError, match="no sub-env was stepped"):
            envs.step(np.array([0, 1, 1, 5]))
        assert envs.pending == 0
        _assert_same_step(envs.step(np.array([0, 1, 1, 0])), twin.step(np.array([0, 1, 1, 0])))
    finally:
        envs.close()
        twin.close()


def test_batch_size_must_divide_num_envs(server_address):
    with pytest.raises(ValueError, match="batch_size must divide"):
        gymrpc.make_vec("CartPole-v1", 4, address=server_address, batch_size=3)

"""Single-env semantics: spaces and dtypes, seeding, rendering, close, spec, transports."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

import gymrpc
from gymrpc._png import decode_png


@pytest.fixture(params=[False, True], ids=["unary", "stream"])
def lander(request, server_address):
    env = gymrpc.make("LunarLander-v3", address=server_address, streaming=request.param)
    yield env
    env.close()


def test_spaces_match_gymnasium_exactly(server_address):
    lander = gymrpc.make("LunarLander-v3", address=server_address)
    cartpole = gymrpc.make("CartPole-v1", address=server_address)
    continuous = gymrpc.make("LunarLanderContinuous-v3", address=server_address)
    try:
        # Gymnasium 1.3 lunar_lander.py: low/high of the 8-dim state (legs bounded by 0 and 1).
        obs = lander.observation_space
        assert isinstance(obs, spaces.Box) and obs.dtype == np.float32 and obs.shape == (8,)
        np.testing.assert_array_equal(obs.low, np.array([-2.5, -2.5, -10, -10, -2 * np.pi, -10, 0, 0], np.float32))
        np.testing.assert_array_equal(obs.high, np.array([2.5, 2.5, 10, 10, 2 * np.pi, 10, 1, 1], np.float32))
        assert lander.action_space == spaces.Discrete(4)
        assert continuous.action_space == spaces.Box(-1, 1, (2,), np.float32)
        # CartPole's unbounded velocities: float32 max, exactly as Gymnasium's cartpole.py.
        big = np.finfo(np.float32).max
        np.testing.assert_array_equal(cartpole.observation_space.high[[1, 3]], [big, big])
        assert cartpole.action_space == spaces.Discrete(2)
    finally:
        for env in (lander, cartpole, continuous):
            env.close()


def test_metadata_spec_and_limits(server_address):
    env = gymrpc.make("gymrpc/LunarLander-v3", address=server_address, render_mode="rgb_array")
    try:
        assert env.metadata["render_modes"] == ["rgb_array"]
        assert env.metadata["render_fps"] == 50
        assert env.render_mode == "rgb_array"
        assert env.spec.id == "gymrpc/LunarLander-v3"
        assert env.spec.reward_threshold == 200.0
        assert env.spec.kwargs["address"] == server_address
        assert env.max_episode_steps == 1000
    finally:
        env.close()


def test_observations_are_in_space_with_exact_dtype(lander):
    obs, info = lander.reset(seed=3)
    assert obs.dtype == np.float32 and obs in lander.observation_space and info == {}
    obs, reward, terminated, truncated, info = lander.step(lander.action_space.sample())
    assert obs.dtype == np.float32 and obs in lander.observation_space
    assert isinstance(reward, float) and np.isfinite(reward)
    assert isinstance(terminated, bool) and isinstance(truncated, bool)


def _trajectory(env, seed, actions):
    out = [env.reset(seed=seed)[0]]
    for a in actions:
        obs, reward, terminated, truncated, _ = env.step(a)
        out.append((obs, reward, terminated, truncated))
        if terminated or truncated:
            break
    return out


def _same(a, b):
    assert len(a) == len(b)
    np.testing.assert_array_equal(a[0], b[0])
    for (o1, r1, t1, u1), (o2, r2, t2, u2) in zip(a[1:], b[1:]):
        np.testing.assert_array_equal(o1, o2)
        assert (r1, t1, u1) == (r2, t2, u2)


def test_same_seed_same_trajectory_across_envs_and_transports(server_address):
    actions = np.random.default_rng(0).integers(0, 4, 200).tolist()
    runs = []
    for streaming in (False, True, True):
        env = gymrpc.make("LunarLander-v3", address=server_address, streaming=streaming)
        runs.append(_trajectory(env, 42, actions))
        env.close()
    _same(runs[0], runs[1])
    _same(runs[0], runs[2])


def test_reset_without_seed_continues_the_stream(lander):
    first, _ = lander.reset(seed=7)
    again, _ = lander.reset(seed=7)
    np.testing.assert_array_equal(first, again)
    # reset() continues the generator seeded at 7: a fresh start, not a repeat.
    after = [lander.reset()[0] for _ in range(2)]
    assert not np.array_equal(after[0], first) and not np.array_equal(after[0], after[1])
    # ... and reproducibly so.
    lander.reset(seed=7)
    replay = [lander.reset()[0] for _ in range(2)]
    np.testing.assert_array_equal(np.array(after), np.array(replay))


def test_render_rgb_array_raw_and_png_agree(server_address):
    raw_env = gymrpc.make("LunarLander-v3", address=server_address, render_mode="rgb_array")
    png_env = gymrpc.make("LunarLander-v3", address=server_address, render_mode="rgb_array", render_format="png")
    try:
        for env in (raw_env, png_env):
            env.reset(seed=5)
            for _ in range(10):
                env.step(2)
        raw, png = raw_env.render(), png_env.render()
        assert raw.dtype == np.uint8 and raw.shape == (400, 600, 3)
        np.testing.assert_array_equal(raw, png)
        assert raw.std() > 0  # a real picture, not a blank frame
    finally:
        raw_env.close()
        png_env.close()


def test_builtin_png_decoder_matches_raw_frame(server_address):
    """The numpy/zlib decoder (no Pillow) decodes the server's PNG to the raw frame, for every env."""
    for env_id in gymrpc.KNOWN_ENV_IDS:
        env = gymrpc.make(env_id, address=server_address, render_mode="rgb_array")
        try:
            env.reset(seed=1)
            from gymrpc._pb import env_pb2

            png = env._transport.call("render", env_pb2.RenderRequest(
                handle=env._handle, format=env_pb2.RenderFormat.RENDER_FORMAT_PNG))
            assert png.format == env_pb2.RenderFormat.RENDER_FORMAT_PNG
            np.testing.assert_array_equal(decode_png(png.data, use_pillow=False), env.render())
        finally:
            env.close()


def test_render_without_mode_warns_and_returns_none(lander):
    lander.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert lander.render() is None


def test_unsupported_render_mode_is_refused(server_address):
    with pytest.raises(ValueError, match="human"):
        gymrpc.make("CartPole-v1", address=server_address, render_mode="human")


def test_close_is_idempotent_and_closed_env_refuses_calls(server_address):
    import gymnasium as gym

    env = gymrpc.make("CartPole-v1", address=server_address)
    env.reset(seed=0)
    env.close()
    env.close()
    with pytest.raises(gym.error.ClosedEnvironmentError, match="closed"):
        env.step(0)


def test_make_options_reach_the_server(server_address):
    env = gymrpc.make("LunarLander-v3", address=server_address, continuous=True, max_episode_steps=5)
    try:
        assert env.action_space == spaces.Box(-1, 1, (2,), np.float32)
        assert env.max_episode_steps == 5
        env.reset(seed=0)
        flags = [env.step(np.zeros(2, np.float32))[3] for _ in range(5)]
        assert flags == [False] * 4 + [True]  # truncated by the server's time limit at step 5
    finally:
        env.close()


def test_float64_actions_are_cast_like_numpy(server_address):
    """Gymnasium's heuristic hands float64 arrays to the float32 continuous lander; it must keep working."""
    env = gymrpc.make("LunarLanderContinuous-v3", address=server_address)
    try:
        env.reset(seed=0)
        obs, *_ = env.step(np.array([0.5, -0.25]))
        assert obs in env.observation_space
    finally:
        env.close()


def test_pipelined_steps_equal_one_by_one(server_address):
    actions = np.random.default_rng(1).integers(0, 4, 300).tolist()
    env = gymrpc.make("LunarLander-v3", address=server_address, streaming=True)
    try:
        env.reset(seed=11)
        piped = env.step_pipelined(actions, window=16)
        env.reset(seed=11)
        single = []
        for a in actions:
            single.append(env.step(a))
            if single[-1][2] or single[-1][3]:
                break
    finally:
        env.close()
    assert len(piped) == len(single) and (piped[-1][2] or piped[-1][3] or len(piped) == len(actions))
    for p, s in zip(piped, single):
        np.testing.assert_array_equal(p[0], s[0])
        assert p[1:4] == s[1:4]



@pytest.mark.parametrize("streaming", [False, True], ids=["unary", "stream"])
def test_close_releases_the_server_handle(server_address, streaming):
    """More make/close cycles than the server's session cap (256): a leaked handle would hit SESSION_LIMIT."""
    cap = gymrpc.server_info(server_address).max_sessions
    for _ in range(cap + 20):
        gymrpc.make("CartPole-v1", address=server_address, streaming=streaming).close()

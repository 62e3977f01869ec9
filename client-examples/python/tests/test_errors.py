"""Server errors arrive as gymrpc.ServerError subclasses carrying the server's message."""

from __future__ import annotations

import socket

import gymnasium as gym
import numpy as np
import pytest

import gymrpc


@pytest.fixture(params=[False, True], ids=["unary", "stream"])
def streaming(request):
    return request.param


def test_bad_discrete_action(server_address, streaming):
    env = gymrpc.make("LunarLander-v3", address=server_address, streaming=streaming)
    try:
        env.reset(seed=0)
        with pytest.raises(gymrpc.InvalidActionError) as caught:
            env.step(7)
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, gym.error.InvalidAction)
        assert caught.value.reason == "INVALID_ACTION" and "7" in str(caught.value)
        env.step(0)  # the env (and the stream) stay usable after a rejected action
    finally:
        env.close()


def test_bad_box_action_nan_and_range(server_address, streaming):
    env = gymrpc.make("LunarLanderContinuous-v3", address=server_address, streaming=streaming)
    try:
        env.reset(seed=0)
        with pytest.raises(gymrpc.InvalidActionError):
            env.step(np.array([np.nan, 0.0], np.float32))
        with pytest.raises(gymrpc.InvalidActionError):
            env.step(np.array([2.0, 0.0], np.float32))
        with pytest.raises(gymrpc.InvalidActionError, match="shape"):
            env.step(np.zeros(3, np.float32))  # refused by the client before sending
        env.step(np.zeros(2, np.float32))
    finally:
        env.close()


def test_non_integer_discrete_action_is_refused(server_address):
    env = gymrpc.make("CartPole-v1", address=server_address)
    try:
        env.reset(seed=0)
        with pytest.raises(gymrpc.InvalidActionError, match="integer"):
            env.step(0.5)
    finally:
        env.close()


def test_step_before_reset_and_after_end(server_address, streaming):
    env = gymrpc.make("CartPole-v1", address=server_address, streaming=streaming)
    try:
        with pytest.raises(gym.error.ResetNeeded) as caught:
            env.step(0)
        assert isinstance(caught.value, gymrpc.ResetNeededError) and caught.value.reason == "RESET_NEEDED"
        assert "reset" in str(caught.value).lower()
        env.reset(seed=0)
        while not any(env.step(1)[2:4]):
            pass
        with pytest.raises(gymrpc.ResetNeededError):
            env.step(1)
    finally:
        env.close()


def test_unknown_env_lists_valid_ids(server_address, streaming):
    with pytest.raises(gymrpc.UnknownEnvError) as caught:
        gymrpc.make("MoonLander-v9", address=server_address, streaming=streaming)
    message = str(caught.value)
    assert "MoonLander-v9" in message
    for env_id in gymrpc.KNOWN_ENV_IDS:
        assert env_id in message
    assert isinstance(caught.value, gym.error.UnregisteredEnv)


def test_bad_option_names_it(server_address, streaming):
    with pytest.raises(gymrpc.InvalidOptionError) as caught:
        gymrpc.make("LunarLander-v3", address=server_address, streaming=streaming, enable_wnd=True)
    assert caught.value.option == "enable_wnd" and "enable_wnd" in str(caught.value)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(gymrpc.InvalidOptionError) as caught:
        gymrpc.make("LunarLander-v3", address=server_address, streaming=streaming, gravity=-50.0)
    assert caught.value.option == "gravity"


def test_unserialisable_option_is_refused_client_side(server_address):
    with pytest.raises(TypeError, match="gravity"):
        gymrpc.make("LunarLander-v3", address=server_address, gravity=object())


def test_no_server_gives_a_clear_message():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(gymrpc.ServerUnavailableError) as caught:
        gymrpc.make("CartPole-v1", address=f"127.0.0.1:{port}", connect_timeout=0.5)
    message = str(caught.value)
    assert f"no gymrpc server at 127.0.0.1:{port}" in message and "./gymrpc serve" in message
    assert isinstance(caught.value, ConnectionError)


def test_bad_vector_requests(server_address):
    with pytest.raises(gymrpc.InvalidArgumentError, match="num_envs"):
        gymrpc.make_vec("CartPole-v1", 0, address=server_address)
    envs = gymrpc.make_vec("CartPole-v1", 2, address=server_address)
    try:
        with pytest.raises(gymrpc.ResetNeededError):
            envs.step(np.zeros(2, dtype=np.int64))
        envs.reset(seed=0)
        with pytest.raises(gymrpc.InvalidActionError, match="shape"):
            envs.step(np.zeros(3, dtype=np.int64))
        with pytest.raises(ValueError, match="reset_mask"):
            envs.reset(options={"reset_mask": np.array([1, 0])})
    finally:
        envs.close()


def test_server_going_away_is_reported_and_close_still_works(server_jar):
    from gymrpc.testing import LocalServer

    server = LocalServer(server_jar).start()
    try:
        stream_env = gymrpc.make("CartPole-v1", address=server.address, streaming=True)
        unary_env = gymrpc.make("CartPole-v1", address=server.address, streaming=False, call_timeout=5)
        stream_env.reset(seed=0)
        unary_env.reset(seed=0)
    finally:
        server.stop()
    for env in (stream_env, unary_env):
        with pytest.raises(gymrpc.ServerUnavailableError, match=f"gymrpc server at {server.address}"):
            env.step(0)
        env.close()
        env.close()

"""Gymnasium's own conformance gate, run on every environment the server lists, through the client."""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import gymrpc

# Both transports must present the same Env; unary for every env, the stream for every env as well.
TRANSPORTS = [pytest.param(False, id="unary"), pytest.param(True, id="stream")]


def _check(env) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped)
    return [str(w.message) for w in caught]


def test_server_lists_the_known_envs(server_env_ids):
    assert set(gymrpc.KNOWN_ENV_IDS) <= set(server_env_ids)


@pytest.mark.parametrize("streaming", TRANSPORTS)
def test_check_env_passes_on_every_server_env(server_address, server_env_ids, streaming):
    problems = {}
    for env_id in server_env_ids:
        env = gymrpc.make(env_id, address=server_address, render_mode="rgb_array", streaming=streaming)
        try:
            messages = _check(env)
        finally:
            env.close()
        if messages:
            problems[env_id] = messages
    # check_env warns for soft problems (e.g. unbounded Box); none is expected from these envs.
    assert problems == {}


def test_check_env_passes_through_gymnasium_make(server_address):
    for env_id in gymrpc.KNOWN_ENV_IDS:
        env = gym.make(f"gymrpc/{env_id}", address=server_address, render_mode="rgb_array")
        try:
            assert _check(env) == []
            assert env.unwrapped.spec.id == f"gymrpc/{env_id}"
        finally:
            env.close()

"""End to end: Gymnasium's heuristic lands LunarLander over the wire; registered ids work in gymnasium.make."""

from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import gymrpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import heuristic_lander  # noqa: E402  (the example itself is what is tested)

EPISODES = 10


@pytest.mark.parametrize("env_id, continuous", [("LunarLander-v3", False), ("LunarLanderContinuous-v3", True)])
def test_heuristic_lands_over_the_wire(server_address, env_id, continuous):
    env = gymrpc.make(env_id, address=server_address)
    try:
        returns = heuristic_lander.evaluate(env, EPISODES, seed=0, continuous=continuous)
    finally:
        env.close()
    print(f"{env_id}: heuristic mean return {np.mean(returns):.1f} over {EPISODES} seeds: "
          + " ".join(f"{r:.0f}" for r in returns))
    assert np.mean(returns) >= 200.0


def test_heuristic_example_main(server_address, capsys):
    assert heuristic_lander.main(["--address", server_address, "--episodes", "3", "--seed", "100"]) in (0, 1)
    assert "mean return" in capsys.readouterr().out


def test_gymnasium_make_with_registered_id(server_address):
    env = gym.make("gymrpc/LunarLander-v3", address=server_address)
    try:
        assert isinstance(env.unwrapped, gymrpc.RemoteEnv)
        assert env.spec.id == "gymrpc/LunarLander-v3" and env.spec.reward_threshold is None
        obs, _ = env.reset(seed=0)
        assert obs in env.observation_space
        env.step(0)
    finally:
        env.close()


def test_generic_remote_id_and_register_envs(server_address):
    env = gym.make("gymrpc/Remote-v0", env_id="CartPole-v1", address=server_address)
    try:
        assert env.unwrapped.env_id == "CartPole-v1"
    finally:
        env.close()
    ids = gymrpc.register_envs(server_address)
    assert "gymrpc/CartPole-v1" in ids
    assert gym.spec("gymrpc/CartPole-v1").reward_threshold == 475.0
    env = gym.make("gymrpc/CartPole-v1")  # address now a registered default
    try:
        env.reset(seed=0)
    finally:
        env.close()
    gymrpc.register_known_envs()  # leave the registry as import left it for other tests

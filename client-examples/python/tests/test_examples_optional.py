"""The SB3 and CleanRL examples run end to end (tiny budgets); they skip without torch / SB3 / tensorboardX."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_cleanrl_ppo_example(server_address, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("tensorboardX")
    result = _load("cleanrl_ppo").main(["--address", server_address, "--total-timesteps", "1024",
                                        "--num-envs", "4", "--num-steps", "64", "--log-dir", str(tmp_path)])
    assert result["global_step"] == 1024 and result["episodic_returns"]
    assert list(tmp_path.glob("*/events.out.tfevents.*"))


def test_sb3_ppo_example(server_address):
    pytest.importorskip("stable_baselines3")
    results = _load("sb3_ppo").main(["--address", server_address, "--env", "CartPole-v1", "--n-envs", "4",
                                     "--timesteps", "1024", "--compare"])
    assert len(results) == 2 and all(fps > 0 for fps in results.values())

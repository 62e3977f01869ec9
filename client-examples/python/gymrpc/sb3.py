"""Stable-Baselines3 on gymrpc's batched path: a ``VecEnv`` backed by one server vector env (one stream).

SB3's own ``make_vec_env`` wraps single envs in a ``DummyVecEnv``, which makes one rpc per env per step.
:func:`make_vec_env` instead steps all ``n_envs`` with one ``VectorStep`` per step::

    from stable_baselines3 import PPO
    import gymrpc.sb3

    venv = gymrpc.sb3.make_vec_env("LunarLander-v3", n_envs=8, seed=0, address="localhost:50051")
    PPO("MlpPolicy", venv).learn(100_000)

:class:`RemoteVecEnv` follows ``DummyVecEnv``'s semantics exactly: ``done = terminated or truncated``;
an ended sub-env is reset at once (the server's SAME_STEP autoreset) and its info carries
``terminal_observation`` and ``TimeLimit.truncated``; ``seed(s)`` seeds sub-env ``i`` with ``s + i`` at the
next ``reset()``; rewards are float32. ``step_async`` sends the batch and returns, ``step_wait`` collects it.

SB3 is an optional extra (``pip install "gymrpc[sb3]"``, which brings SB3 and torch). Without it
:class:`RemoteVecEnv` still works with the same API on a small stand-in base class, so code and tests that
only need the VecEnv contract do not need torch; :data:`HAVE_SB3` says which base is in use.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode

from gymrpc.vector import RemoteVectorEnv

try:
    from stable_baselines3.common.vec_env import VecEnv as _VecEnvBase

    HAVE_SB3 = True
except ImportError:  # SB3 absent: the same contract on a stand-in base
    HAVE_SB3 = False

    class _VecEnvBase:  # type: ignore[no-redef]
        """What :class:`RemoteVecEnv` uses of SB3's ``VecEnv`` base (seed/option bookkeeping, ``step``)."""

        def __init__(self, num_envs: int, observation_space, action_space):
            self.num_envs = num_envs
            self.observation_space = observation_space
            self.action_space = action_space
            self.reset_infos: list[dict[str, Any]] = [{} for _ in range(num_envs)]
            self._seeds: list[int | None] = [None for _ in range(num_envs)]
            self._options: list[dict[str, Any]] = [{} for _ in range(num_envs)]
            self.render_mode = self.get_attr("render_mode")[0]
            self.metadata = {"render_modes": ["human", "rgb_array"] if self.render_mode == "rgb_array" else []}

        def _reset_seeds(self) -> None:
            self._seeds = [None for _ in range(self.num_envs)]

        def _reset_options(self) -> None:
            self._options = [{} for _ in range(self.num_envs)]

        def step(self, actions):
            self.step_async(actions)
            return self.step_wait()

        def seed(self, seed: int | None = None):
            if seed is None:
                seed = int(np.random.randint(0, np.iinfo(np.uint32).max, dtype=np.uint32))
            self._seeds = [seed + i for i in range(self.num_envs)]
            return self._seeds

        def set_options(self, options=None) -> None:
            if options is None:
                options = {}
            self._options = list(options) if isinstance(options, list) else [options] * self.num_envs

        @property
        def unwrapped(self):
            return self


class RemoteVecEnv(_VecEnvBase):
    """An SB3 ``VecEnv`` whose ``num_envs`` sub-envs are one gymrpc server vector env (see the module doc).

    Args:
        env_id: the server's id, e.g. ``"CartPole-v1"``.
        num_envs: sub-environments.
        address: ``host:port``; default ``$GYMRPC_ADDRESS`` or ``localhost:50051``.
        **kwargs: passed to :class:`gymrpc.RemoteVectorEnv` (make options such as ``continuous=True``,
            and ``threads``, ``render_mode``, ``streaming``).
    """

    def __init__(self, env_id: str, num_envs: int, address: str | None = None, **kwargs: Any):
        self.venv = RemoteVectorEnv(env_id, num_envs, address=address, autoreset_mode=AutoresetMode.SAME_STEP,
                                    **kwargs)
        try:
            super().__init__(self.venv.num_envs, self.venv.single_observation_space, self.venv.single_action_space)
        except BaseException:
            self.venv.close()
            raise
        self._actions = None

    # ------------------------------------------------------------------------------------------ stepping

    def reset(self):
        seeds, options = self._seeds, self._options
        if any(o != options[0] for o in options):
            raise ValueError("gymrpc's RemoteVecEnv resets every sub-env with the same options; "
                             "set_options() one dict (or a list of equal dicts)")
        reset_options = dict(options[0]) if options[0] else None
        if all(s is None for s in seeds):
            obs, infos = self.venv.reset(options=reset_options)
        elif all(s is not None and s == seeds[0] + i for i, s in enumerate(seeds)):
            obs, infos = self.venv.reset(seed=int(seeds[0]), options=reset_options)
        else:
            obs, infos = self.venv.reset(seed=list(seeds), options=reset_options)
        self.reset_infos = unbatch_infos(infos, self.num_envs)
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self.venv.step_async(actions)

    def step_wait(self):
        obs, rewards, terminated, truncated, batched = self.venv.step_wait()
        dones = terminated | truncated
        infos = unbatch_infos(batched, self.num_envs)
        for i in np.flatnonzero(dones):
            # SAME_STEP: obs[i] is already the next episode's first observation; the ended step's info is
            # final_info, the reset's info the rest (DummyVecEnv keeps them apart the same way).
            reset_info = infos[i]
            step_info = reset_info.pop("final_info", None) or {}
            step_info["terminal_observation"] = reset_info.pop("final_obs")
            self.reset_infos[i] = reset_info
            infos[i] = step_info
        for i in range(self.num_envs):
            infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        return obs, rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self.venv.close()

    # --------------------------------------------------------------------------------- VecEnv plumbing

    def get_images(self):
        if self.render_mode != "rgb_array":
            warnings.warn(f"The render mode is {self.render_mode}, but get_images() needs render_mode='rgb_array'")
            return [None] * self.num_envs
        return list(self.venv.render())

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        """The vector env's attribute, once per selected sub-env (the sub-envs share their configuration)."""
        value = getattr(self.venv, attr_name)
        return [value for _ in self._indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        raise AttributeError(f"cannot set {attr_name!r} on gymrpc sub-environments: they run on the server; "
                             "pass make options to make_vec_env instead")

    def env_method(self, method_name: str, *method_args, indices=None, **method_kwargs) -> list[Any]:
        if method_name == "render":
            frames = self.venv.render()
            return [frames[i] if frames is not None else None for i in self._indices(indices)]
        raise AttributeError(f"gymrpc sub-environments run on the server and have no Python method "
                             f"{method_name!r}; only 'render' is forwarded")

    def env_is_wrapped(self, wrapper_class, indices=None) -> list[bool]:
        return [False for _ in self._indices(indices)]  # no Python-side gymnasium wrappers

    def _indices(self, indices) -> list[int]:
        if indices is None:
            return list(range(self.num_envs))
        if isinstance(indices, int):
            return [indices]
        return list(indices) if isinstance(indices, Iterable) else [int(indices)]

    def __repr__(self) -> str:
        return f"<gymrpc RemoteVecEnv {self.venv.env_id} x{self.num_envs} at {self.venv.address}>"


def make_vec_env(env_id: str, n_envs: int = 1, seed: int | None = None, address: str | None = None, *,
                 monitor: bool = True, **kwargs: Any):
    """SB3's ``make_vec_env`` for gymrpc: ``n_envs`` server envs stepped with one rpc per step.

    ``seed`` seeds sub-env ``i`` with ``seed + i`` at the first reset (as SB3's ``make_vec_env``).
    ``monitor`` wraps the result in SB3's ``VecMonitor``, so ``rollout/ep_rew_mean`` and
    ``evaluate_policy`` see episode returns (SB3's ``make_vec_env`` gets them from per-env ``Monitor``
    wrappers). ``kwargs`` go to :class:`RemoteVecEnv`.
    """
    venv = RemoteVecEnv(env_id, n_envs, address=address, **kwargs)
    if seed is not None:
        venv.seed(seed)
    if monitor:
        if not HAVE_SB3:
            venv.close()
            raise ImportError('monitor=True needs stable-baselines3 (pip install "gymrpc[sb3]"); '
                              "or pass monitor=False")
        from stable_baselines3.common.vec_env import VecMonitor

        return VecMonitor(venv)
    return venv


def unbatch_infos(infos: dict[str, Any], num_envs: int) -> list[dict[str, Any]]:
    """Gymnasium's batched vector info (arrays with ``_key`` masks) as one dict per sub-env (SB3's form)."""
    out: list[dict[str, Any]] = [{} for _ in range(num_envs)]
    for key, value in infos.items():
        if key.startswith("_"):
            continue
        mask = infos.get(f"_{key}")
        selected = range(num_envs) if mask is None else np.flatnonzero(mask)
        if isinstance(value, dict):
            nested = unbatch_infos(value, num_envs)
            for i in selected:
                out[i][key] = nested[i]
        else:
            for i in selected:
                item = value[i]
                out[i][key] = item.item() if isinstance(item, np.generic) else item
    return out

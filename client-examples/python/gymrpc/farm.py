"""``EnvFarm``: one ``gymnasium.vector.VectorEnv`` whose sub-envs live on several gymrpc servers.

    envs = gymrpc.make_vec("LunarLander-v3", num_envs=64, address=["node-a:50051", "node-b:50051"])

Sub-envs are split into contiguous blocks, one block per server (``num_envs`` divided as evenly as
possible, the first servers taking one more); each block is a :class:`gymrpc.RemoteVectorEnv` on its own
connection and batched stream, and every ``reset`` / ``step`` is sent to all servers at once (one thread
per server, each block always driven by the same thread) and the answers are concatenated in sub-env order.

Semantics are those of a single server's vector env: ``reset(seed=s)`` seeds global sub-env ``i`` with
``s + i`` (block ``k``, starting at sub-env ``o``, is reset with seed ``s + o``), ``reset_mask`` and lists
of per-sub-env seeds are split by block, infos are one dict of arrays over all ``num_envs`` with ``_key``
masks, and the autoreset mode is applied by each server to its own sub-envs, which is the same thing
because sub-envs never interact. So the same seeds and actions give the same observations on one server as
on many.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gymrpc.vector import RemoteVectorEnv

__all__ = ["EnvFarm", "split_envs"]


def split_envs(num_envs: int, num_servers: int) -> list[int]:
    """Sub-env counts per server: as even as possible, the first servers taking the remainder; servers
    beyond ``num_envs`` get none (and are not used)."""
    if num_servers < 1:
        raise ValueError("an env farm needs at least one server address")
    if num_envs < 1:
        raise ValueError(f"num_envs must be >= 1, got {num_envs}")
    base, extra = divmod(num_envs, num_servers)
    return [base + (1 if k < extra else 0) for k in range(num_servers)]


class EnvFarm(VectorEnv):
    """``num_envs`` sub-environments spread over the servers in ``addresses`` (see the module doc).

    Args:
        env_id: the server's env id, e.g. ``"LunarLander-v3"``.
        num_envs: total number of sub-environments.
        addresses: ``host:port`` of each server (a server listed twice gets two blocks).
        autoreset_mode, render_mode, **options: as :class:`gymrpc.RemoteVectorEnv` (make options, client
            settings such as ``streaming``/``threads``), applied to every block.
    """

    def __init__(
        self,
        env_id: str,
        num_envs: int,
        addresses: Sequence[str],
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        render_mode: str | None = None,
        **options: Any,
    ):
        addresses = list(addresses)
        counts = split_envs(int(num_envs), len(addresses))
        self.closed = True
        self.env_id = env_id
        self.addresses = [a for a, n in zip(addresses, counts) if n > 0]
        self.counts = [n for n in counts if n > 0]
        self.offsets = [int(o) for o in np.cumsum([0, *self.counts[:-1]])]
        # One single-thread executor per block: a transport is used by one thread at a time, and always the
        # same one (the direct stream driver runs on the caller's thread).
        self._executors = [ThreadPoolExecutor(1, thread_name_prefix=f"gymrpc-farm-{k}") for k in range(len(self.counts))]
        futures = [
            ex.submit(RemoteVectorEnv, env_id, num_envs=n, address=a, autoreset_mode=autoreset_mode,
                      render_mode=render_mode, **options)
            for ex, a, n in zip(self._executors, self.addresses, self.counts)
        ]
        self.parts: list[RemoteVectorEnv] = []
        errors = []
        for f in futures:
            try:
                self.parts.append(f.result())
            except BaseException as exc:  # close what was made, then raise the first error
                errors.append(exc)
        if errors:
            for part in self.parts:
                part.close()
            self._shutdown()
            raise errors[0]
        self.closed = False
        self._last_obs: list = [None] * len(self.parts)
        first = self.parts[0]
        for part in self.parts[1:]:
            if (part.single_observation_space != first.single_observation_space
                    or part.single_action_space != first.single_action_space):
                self.close()
                raise ValueError(f"the servers disagree on {env_id}'s spaces: {first.address} has "
                                 f"{first.single_observation_space}/{first.single_action_space}, {part.address} "
                                 f"{part.single_observation_space}/{part.single_action_space}")
        self.num_envs = sum(self.counts)
        self.single_observation_space = first.single_observation_space
        self.single_action_space = first.single_action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = dict(first.metadata)
        self.render_mode = render_mode
        self.env_info = first.env_info
        self.max_episode_steps = first.max_episode_steps
        self.spec = first.spec

    # ------------------------------------------------------------------------------------------ helpers

    def _slices(self):
        return [slice(o, o + n) for o, n in zip(self.offsets, self.counts)]

    def _all(self, calls):
        """Runs ``calls[k]()`` on block k's thread, all at once; returns the results in block order."""
        futures = [ex.submit(call) for ex, call in zip(self._executors, calls)]
        results, error = [], None
        for f in futures:
            try:
                results.append(f.result())
            except BaseException as exc:
                error = error or exc
                results.append(None)
        if error is not None:
            raise error
        return results

    def _merge_infos(self, part_infos) -> dict[str, Any]:
        infos: dict[str, Any] = {}
        for offset, n, info in zip(self.offsets, self.counts, part_infos):
            for j in range(n):
                single = _unbatch_info(info, j)
                if single:
                    self._add_info(infos, single, offset + j)
        return infos

    def _check_open(self) -> None:
        if self.closed:
            raise gym.error.ClosedEnvironmentError(f"the gymrpc env farm {self.env_id} is closed; make a new one")

    # ------------------------------------------------------------------------------------------ VectorEnv

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        """Resets every sub-env (or those in ``options["reset_mask"]``); global sub-env ``i`` gets ``seed + i``."""
        self._check_open()
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape != (self.num_envs,) or mask.dtype != np.bool_:
                raise ValueError(f"options['reset_mask'] must be a bool array of shape ({self.num_envs},), "
                                 f"got shape {mask.shape} dtype {mask.dtype}")
            if not mask.any():
                raise ValueError("options['reset_mask'] selects no sub-environment; set at least one entry True")
        if seed is None or isinstance(seed, (int, np.integer)):
            super().reset(seed=None if seed is None else int(seed))
            part_seeds = [None if seed is None else int(seed) + o for o in self.offsets]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} sub-environments")
            part_seeds = [seeds[s] for s in self._slices()]
        calls, active = [], []
        for k, (part, sl) in enumerate(zip(self.parts, self._slices())):
            part_options = dict(options)
            if mask is not None:
                if not mask[sl].any():
                    continue
                part_options["reset_mask"] = mask[sl]
            calls.append(lambda p=part, s=part_seeds[k], o=part_options: p.reset(seed=s, options=o))
            active.append(k)
        results = self._all_for(active, calls)
        obs = [None] * len(self.parts)
        infos = [{} for _ in self.parts]
        for k, (o, i) in zip(active, results):
            obs[k], infos[k] = o, i
        # Blocks not selected by the mask keep their current observation: a masked reset returns the
        # current observations of unselected sub-envs on a single server too, so ask them for nothing and
        # fill from their last observations.
        for k in range(len(self.parts)):
            if obs[k] is None:
                last = self._last_obs[k]
                obs[k] = last if last is not None else batch_space(self.single_observation_space, self.counts[k]).sample() * 0
        self._last_obs = obs
        return self._concat(obs), self._merge_infos(infos)

    def _all_for(self, active, calls):
        futures = [self._executors[k].submit(c) for k, c in zip(active, calls)]
        results, error = [], None
        for f in futures:
            try:
                results.append(f.result())
            except BaseException as exc:
                error = error or exc
                results.append(None)
        if error is not None:
            raise error
        return results

    def step(self, actions):
        self._check_open()
        actions = np.asarray(actions) if not isinstance(actions, (tuple, dict)) else actions
        if isinstance(actions, np.ndarray) and (actions.ndim == 0 or actions.shape[0] != self.num_envs):
            raise ValueError(f"expected a batch of {self.num_envs} actions, got shape {actions.shape}")
        results = self._all([lambda p=part, a=actions[sl]: p.step(a)
                             for part, sl in zip(self.parts, self._slices())])
        obs = [r[0] for r in results]
        self._last_obs = obs
        return (
            self._concat(obs),
            np.concatenate([r[1] for r in results]),
            np.concatenate([r[2] for r in results]),
            np.concatenate([r[3] for r in results]),
            self._merge_infos([r[4] for r in results]),
        )

    def _concat(self, parts):
        if isinstance(parts[0], np.ndarray):
            return np.concatenate(parts)
        if isinstance(parts[0], dict):
            return {key: self._concat([p[key] for p in parts]) for key in parts[0]}
        if isinstance(parts[0], tuple):
            return tuple(self._concat([p[i] for p in parts]) for i in range(len(parts[0])))
        return np.concatenate([np.asarray(p) for p in parts])

    def render(self) -> tuple[np.ndarray, ...] | None:
        if self.render_mode is None:
            gym.logger.warn("render() called on a vector env made without render_mode; pass render_mode='rgb_array'")
            return None
        self._check_open()
        frames = self._all([part.render for part in self.parts])
        return tuple(f for block in frames for f in block)

    def close(self, **kwargs: Any) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._all([part.close for part in self.parts])
        except Exception:  # closing must not fail; a server may be gone
            pass
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        for ex in self._executors:
            ex.shutdown(wait=False)

    @property
    def address(self) -> list[str]:
        return list(self.addresses)

    def __repr__(self) -> str:
        blocks = ", ".join(f"{a} x{n}" for a, n in zip(self.addresses, self.counts))
        return f"<EnvFarm {self.env_id} x{getattr(self, 'num_envs', '?')} on [{blocks}]>"


def _unbatch_info(info: dict[str, Any], j: int) -> dict[str, Any]:
    """Sub-env ``j``'s entries of a vector info dict (those whose ``_key`` mask is set), unbatched."""
    out: dict[str, Any] = {}
    for key, value in info.items():
        if key.startswith("_"):
            continue
        mask = info.get("_" + key)
        if mask is not None and not mask[j]:
            continue
        if isinstance(value, dict):
            inner = _unbatch_info(value, j)
            if inner:
                out[key] = inner
        else:
            out[key] = value[j]
    return out

"""``RemoteVectorEnv``: a ``gymnasium.vector.VectorEnv`` stepped as one batch on a gymrpc server."""

from __future__ import annotations

from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gymrpc import _codec
from gymrpc._pb import env_pb2
from gymrpc._transport import DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, Connection, resolve_address
from gymrpc.env import NAMESPACE, ActionEncoder, ObservationDecoder, _streaming_default, decode_frame

_MODES = {
    AutoresetMode.NEXT_STEP: env_pb2.AutoresetMode.AUTORESET_MODE_NEXT_STEP,
    AutoresetMode.SAME_STEP: env_pb2.AutoresetMode.AUTORESET_MODE_SAME_STEP,
    AutoresetMode.DISABLED: env_pb2.AutoresetMode.AUTORESET_MODE_DISABLED,
}
_MODES_BACK = {wire: mode for mode, wire in _MODES.items()}

class RemoteVectorEnv(VectorEnv):
    """``num_envs`` copies of a server environment, reset and stepped with one rpc per batch.

    Follows Gymnasium 1.x vector semantics: ``reset(seed=s)`` seeds sub-env ``i`` with ``s + i``;
    ``options["reset_mask"]`` resets only the selected sub-envs; infos are a dict of arrays with ``_key``
    masks; ``metadata["autoreset_mode"]`` is the mode in force (NEXT_STEP by default: the step after an
    episode ends ignores that sub-env's action and returns its reset observation, reward 0, flags false).

    Args:
        env_id: the server's id, e.g. ``"LunarLander-v3"``.
        num_envs: number of sub-environments (the server caps it: ``ServerInfo.max_vector_envs``).
        address: ``host:port``; default ``$GYMRPC_ADDRESS`` or ``localhost:50051``.
        autoreset_mode: a :class:`gymnasium.vector.AutoresetMode` or its value (``"NextStep"`` ...).
        render_mode: ``None`` or ``"rgb_array"``; ``render()`` returns one frame per sub-env.
        streaming: use one Session stream (default) or unary rpcs.
        threads: server worker threads stepping each batch. ``None`` (default): the server chooses (one
            per 16 sub-envs, capped at its cores); the number in force is :attr:`threads`. Pass
            ``threads=1`` for cheap envs such as CartPole, where a hand-off to a worker costs more than it
            saves.
        **options: make options applied to every sub-env.
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 50, "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(
        self,
        env_id: str,
        num_envs: int = 1,
        address: str | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        render_mode: str | None = None,
        *,
        streaming: bool | None = None,
        threads: int | None = None,
        render_format: str = "rgb",
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        **options: Any,
    ):
        mode = AutoresetMode(autoreset_mode)
        if render_format not in ("rgb", "png"):
            raise ValueError(f"render_format must be 'rgb' or 'png', got {render_format!r}")
        self.closed = True
        self.env_id = env_id
        self.address = resolve_address(address)
        self._connection = Connection(self.address, connect_timeout=connect_timeout, call_timeout=call_timeout)
        try:
            if streaming is None:
                streaming = _streaming_default() and "session-stream" in self._connection.info.capabilities
            self._transport = self._connection.session() if streaming else self._connection.unary()
            made = self._transport.call(
                "make_vector_env",
                env_pb2.MakeVectorEnvRequest(
                    env_id=env_id,
                    num_envs=int(num_envs),
                    options=_codec.to_value_map(options),
                    autoreset_mode=_MODES[mode],
                    threads=0 if threads is None else int(threads),
                ),
            )
        except BaseException:
            self._connection.close()
            raise
        self.closed = False
        self._ever_reset = False
        self._handle = made.handle
        info = made.env
        self.env_info = info
        self.num_envs = made.num_envs
        #: Server worker threads stepping each batch (what the server chose or capped it to).
        self.threads = made.threads or 1
        self.single_observation_space = _codec.space_from_proto(info.observation_space)
        self.single_action_space = _codec.space_from_proto(info.action_space)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.metadata = {
            "render_modes": list(info.render_modes),
            "render_fps": info.render_fps or None,
            "autoreset_mode": _MODES_BACK.get(made.autoreset_mode, mode),
        }
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            self.close()
            raise ValueError(f"render_mode={render_mode!r} is not offered by {env_id}; choose one of "
                             f"{self.metadata['render_modes']} or None")
        self.render_mode = render_mode
        self._render_format = (
            env_pb2.RenderFormat.RENDER_FORMAT_RGB if render_format == "rgb" else env_pb2.RenderFormat.RENDER_FORMAT_PNG
        )
        self.max_episode_steps = info.max_episode_steps or None
        self.spec = EnvSpec(
            id=f"{NAMESPACE}/{env_id}",
            entry_point="gymrpc.env:RemoteEnv",
            vector_entry_point="gymrpc.vector:RemoteVectorEnv",
            reward_threshold=info.reward_threshold if info.HasField("reward_threshold") else None,
            disable_env_checker=True,
            kwargs={"env_id": env_id, "address": self.address, **options},
        )
        self._encoder = ActionEncoder(self.single_action_space)
        self._decode_obs = ObservationDecoder(self.single_observation_space, batch=self.num_envs)

    @property
    def streaming(self) -> bool:
        return self._transport.streaming

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        """Resets every sub-env (or those in ``options["reset_mask"]``); sub-env ``i`` gets ``seed + i``.

        A list of per-sub-env seeds is accepted too (as SyncVectorEnv does); the protocol seeds ``s + i``,
        so each listed seed is sent as its own masked reset.
        """
        self._check_open()
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape != (self.num_envs,) or mask.dtype != np.bool_:
                raise ValueError(
                    f"options['reset_mask'] must be a bool array of shape ({self.num_envs},), "
                    f"got shape {mask.shape} dtype {mask.dtype}"
                )
            if not mask.any():
                raise ValueError("options['reset_mask'] selects no sub-environment; set at least one entry True")
        wire_options = _codec.to_value_map(options, "reset option")

        if seed is None or isinstance(seed, (int, np.integer)):
            super().reset(seed=None if seed is None else int(seed))
            response = self._vector_reset(seed, mask, wire_options)
            infos = self._infos(response.infos)
            return self._decode_obs(response.observations), infos

        seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} sub-environments")
        selected = np.ones(self.num_envs, dtype=bool) if mask is None else mask
        unseeded = np.array([s is None for s in seeds]) & selected
        infos: dict[str, Any] = {}
        response = None
        if not self._ever_reset:
            # The server wants every sub-env reset first; that reset is the unseeded sub-envs' reset.
            response = self._vector_reset(None, None, wire_options)
            self._merge_infos(infos, response.infos, unseeded)
            unseeded[:] = False
        for i, s in enumerate(seeds):
            if not selected[i] or s is None:
                continue
            if int(s) - i < 0:
                raise ValueError(
                    f"seed {s} for sub-env {i} cannot be sent: the protocol seeds sub-env i with base + i and "
                    "base must be >= 0; use seeds >= their index, or one int seed"
                )
            only_i = np.zeros(self.num_envs, dtype=bool)
            only_i[i] = True
            response = self._vector_reset(int(s) - i, only_i, wire_options)
            self._merge_infos(infos, response.infos, only_i)
        if unseeded.any():
            response = self._vector_reset(None, unseeded, wire_options)
            self._merge_infos(infos, response.infos, unseeded)
        return self._decode_obs(response.observations), infos

    def step(self, actions):
        self._check_open()
        response = self._transport.call(
            "vector_step",
            env_pb2.VectorStepRequest(handle=self._handle, actions=self._encoder.batch(actions, self.num_envs)),
        )
        return (
            self._decode_obs(response.observations),
            np.array(response.rewards, dtype=np.float64),
            np.array(response.terminated, dtype=np.bool_),
            np.array(response.truncated, dtype=np.bool_),
            self._infos(response.infos),
        )

    def render(self) -> tuple[np.ndarray, ...] | None:
        """One uint8 (H, W, 3) frame per sub-env, like SyncVectorEnv.render()."""
        if self.render_mode is None:
            gym.logger.warn("render() called on a vector env made without render_mode; pass render_mode='rgb_array'")
            return None
        self._check_open()
        return tuple(
            decode_frame(
                self._transport.call(
                    "render", env_pb2.RenderRequest(handle=self._handle, format=self._render_format, index=i)
                )
            )
            for i in range(self.num_envs)
        )

    def close_extras(self, **kwargs: Any) -> None:
        try:
            self._transport.call("close_env", env_pb2.CloseEnvRequest(handle=self._handle))
        except Exception:  # the server may be gone or have reclaimed the handle; closing must not fail
            pass
        finally:
            self._transport.close()
            self._connection.close()

    def close(self, **kwargs: Any) -> None:
        if self.closed:
            return
        self.close_extras(**kwargs)
        self.closed = True

    # ----------------------------------------------------------------------------------------- helpers

    def _vector_reset(self, seed, mask, wire_options):
        request = env_pb2.VectorResetRequest(handle=self._handle, options=wire_options)
        if seed is not None:
            request.seed = int(seed)
        if mask is not None:
            request.reset_mask.extend(bool(m) for m in mask)
        response = self._transport.call("vector_reset", request)
        self._ever_reset = True
        return response

    def _infos(self, wire_infos) -> dict[str, Any]:
        infos: dict[str, Any] = {}
        for i, fields in enumerate(wire_infos):
            if fields.fields:
                self._add_info(infos, _codec.from_value_map(fields.fields), i)
        return infos

    def _merge_infos(self, infos, wire_infos, selected) -> None:
        for i, fields in enumerate(wire_infos):
            if selected[i] and fields.fields:
                self._add_info(infos, _codec.from_value_map(fields.fields), i)

    def _check_open(self) -> None:
        if self.closed:
            raise gym.error.ClosedEnvironmentError(f"the gymrpc vector env {self.env_id} is closed; make a new one")

    def __repr__(self) -> str:
        return f"<RemoteVectorEnv {self.env_id} x{getattr(self, 'num_envs', '?')} at {self.address}>"

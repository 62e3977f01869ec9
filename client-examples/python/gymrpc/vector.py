"""``RemoteVectorEnv``: a ``gymnasium.vector.VectorEnv`` stepped as one batch on a gymrpc server."""

from __future__ import annotations

from collections import deque
from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gymrpc import _codec
from gymrpc._pb import env_pb2
from gymrpc._transport import DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, Connection, resolve_address
from gymrpc.errors import InvalidActionError
from gymrpc.env import NAMESPACE, ActionEncoder, ObservationDecoder, _streaming_default, decode_frame

#: Every VectorStep asks for the packed batch (env.proto BatchEncoding, protocol 1.1): observations as raw
#: little-endian bytes (one numpy.frombuffer instead of a conversion element by element) and no infos when
#: all are empty. A 1.0 server ignores the field and answers in the 1.0 form, which is decoded as before.
_PACKED = env_pb2.BatchEncoding.BATCH_ENCODING_PACKED


def _observations(decode: ObservationDecoder, response):
    """The observations of a VectorStepResponse (either form) or a VectorResetResponse."""
    if response.HasField("observations"):
        return decode(response.observations)
    return decode.packed(response.packed_observations)

_MODES = {
    AutoresetMode.NEXT_STEP: env_pb2.AutoresetMode.AUTORESET_MODE_NEXT_STEP,
    AutoresetMode.SAME_STEP: env_pb2.AutoresetMode.AUTORESET_MODE_SAME_STEP,
    AutoresetMode.DISABLED: env_pb2.AutoresetMode.AUTORESET_MODE_DISABLED,
}
_MODES_BACK = {wire: mode for mode, wire in _MODES.items()}


class _InfoBatch:
    """Gymnasium's info batching (``VectorEnv._add_info``) for a batch of ``num_envs`` results."""

    _add_info = VectorEnv._add_info

    def __init__(self, num_envs: int):
        self.num_envs = num_envs

class RemoteVectorEnv(VectorEnv):
    """``num_envs`` copies of a server environment, reset and stepped with one rpc per batch.

    Follows Gymnasium 1.x vector semantics: ``reset(seed=s)`` seeds sub-env ``i`` with ``s + i``;
    ``options["reset_mask"]`` resets only the selected sub-envs; infos are a dict of arrays with ``_key``
    masks; ``metadata["autoreset_mode"]`` is the mode in force (NEXT_STEP by default: the step after an
    episode ends ignores that sub-env's action and returns its reset observation, reward 0, flags false).

    Overlapping the client's work with the server's (EnvPool-style): :meth:`step_async` sends a batch and
    returns at once, :meth:`step_wait` collects it, so the caller can work while the server steps. With
    ``batch_size < num_envs`` the sub-envs form ``num_envs / batch_size`` groups (one server vector env
    each, all on one stream): :meth:`async_reset`, then loop ``obs, rew, term, trunc, info = recv()``
    (one group, ``info["env_id"]`` says which sub-envs) and ``send(actions, info["env_id"])``; the server
    steps the other groups while the caller computes this group's actions. :meth:`step` and :meth:`reset`
    still cover all ``num_envs`` sub-envs.

    Args:
        env_id: the server's id, e.g. ``"LunarLander-v3"``.
        num_envs: number of sub-environments (the server caps it: ``ServerInfo.max_vector_envs``).
        batch_size: sub-envs per :meth:`recv` (EnvPool's ``batch_size``); must divide ``num_envs``.
            ``None`` (default) = ``num_envs``: one server vector env.
        address: ``host:port``; default ``$GYMRPC_ADDRESS`` or ``localhost:50051``.
        autoreset_mode: a :class:`gymnasium.vector.AutoresetMode` or its value (``"NextStep"`` ...).
        render_mode: ``None`` or ``"rgb_array"``; ``render()`` returns one frame per sub-env.
        streaming: use one Session stream (default) or unary rpcs.
        threads: server worker threads stepping each batch (each group's, with ``batch_size``). ``None``
            (default): the server chooses (one per 16 sub-envs, capped at its cores); the number in force is
            :attr:`threads`. Pass
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
        batch_size: int | None = None,
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
        num_envs = int(num_envs)
        batch = num_envs if batch_size is None else int(batch_size)
        # (num_envs itself is the server's to check: it names its own limit)
        if batch_size is not None and (batch < 1 or batch > num_envs or num_envs % batch):
            raise ValueError(f"batch_size must divide num_envs={num_envs} (1 <= batch_size <= num_envs), got {batch_size}")
        self.closed = True
        self.env_id = env_id
        self.address = resolve_address(address)
        self._connection = Connection(self.address, connect_timeout=connect_timeout, call_timeout=call_timeout)
        try:
            if streaming is None:
                streaming = _streaming_default() and "session-stream" in self._connection.info.capabilities
            self._transport = self._connection.session() if streaming else self._connection.unary()
            request = env_pb2.MakeVectorEnvRequest(
                env_id=env_id,
                num_envs=batch,
                options=_codec.to_value_map(options),
                autoreset_mode=_MODES[mode],
                threads=0 if threads is None else int(threads),
            )
            made = self._transport.call("make_vector_env", request)
            #: One server vector env per group of ``batch_size`` sub-envs (sub-env i is in group i // batch_size).
            self._handles = [made.handle]
            for _ in range(num_envs // batch - 1):
                self._handles.append(self._transport.call("make_vector_env", request).handle)
        except BaseException:
            self._connection.close()
            raise
        self.closed = False
        self._ever_reset = False
        self._handle = made.handle
        #: Sub-envs per group (per :meth:`recv`); ``num_envs`` unless ``batch_size`` was given.
        self.batch_size = made.num_envs
        #: Requests sent and not yet received, oldest first: ("step" or "reset", group).
        self._in_flight: deque[tuple[str, int]] = deque()
        #: Over unary rpcs, requests "sent" but not yet called (a unary call runs when its result is due).
        self._unary_queue: deque[tuple[str, Any]] = deque()
        info = made.env
        self.env_info = info
        self.num_envs = made.num_envs * len(self._handles)
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
        self._decode_group_obs = ObservationDecoder(self.single_observation_space, batch=self.batch_size)
        #: Last observation of every sub-env, for groups a masked reset leaves alone.
        self._last_obs = None

    @property
    def streaming(self) -> bool:
        return self._transport.streaming

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        """Resets every sub-env (or those in ``options["reset_mask"]``); sub-env ``i`` gets ``seed + i``.

        A list of per-sub-env seeds is accepted too (as SyncVectorEnv does); the protocol seeds ``s + i``,
        so each listed seed is sent as its own masked reset.
        """
        self._check_open()
        self._check_idle("reset")
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
        infos: dict[str, Any] = {}

        if seed is None or isinstance(seed, (int, np.integer)):
            super().reset(seed=None if seed is None else int(seed))
            selected = np.ones(self.num_envs, dtype=bool) if mask is None else mask
            self._vector_reset(seed, mask, wire_options, infos, selected)
            return self._last_obs.copy(), infos

        seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} sub-environments")
        selected = np.ones(self.num_envs, dtype=bool) if mask is None else mask
        unseeded = np.array([s is None for s in seeds]) & selected
        if not self._ever_reset:
            # The server wants every sub-env reset first; that reset is the unseeded sub-envs' reset.
            self._vector_reset(None, None, wire_options, infos, unseeded)
            unseeded[:] = False
        for i, s in enumerate(seeds):
            if not selected[i] or s is None:
                continue
            local = i % self.batch_size
            if int(s) - local < 0:
                raise ValueError(
                    f"seed {s} for sub-env {i} cannot be sent: the protocol seeds sub-env i with base + i and "
                    "base must be >= 0; use seeds >= their index, or one int seed"
                )
            only_i = np.zeros(self.num_envs, dtype=bool)
            only_i[i] = True
            # Group g's server env seeds its sub-env j with base + j, and the caller's i = g * batch + j.
            self._vector_reset(int(s) - i, only_i, wire_options, infos, only_i)
        if unseeded.any():
            self._vector_reset(None, unseeded, wire_options, infos, unseeded)
        return self._last_obs.copy(), infos

    def step(self, actions):
        """Steps every sub-env (one rpc; with groups, :meth:`step_async` then :meth:`step_wait`)."""
        if len(self._handles) > 1:
            self.step_async(actions)
            return self.step_wait()
        self._check_open()
        self._check_idle("step")
        response = self._transport.call(
            "vector_step",
            env_pb2.VectorStepRequest(handle=self._handle, actions=self._encoder.batch(actions, self.num_envs),
                                      batch_encoding=_PACKED),
        )
        return self._step_result(response)

    # -------------------------------------------------------------------------- overlapping client and server

    def step_async(self, actions) -> None:
        """Sends a step of every sub-env and returns without waiting; :meth:`step_wait` collects it.

        Over the stream the server steps while the caller works; over unary rpcs the step runs in
        :meth:`step_wait`. Actions are checked (shape, and with several groups also range) before any is sent.
        """
        self._check_open()
        self._check_idle("step_async")
        self._send_steps(actions, range(len(self._handles)))

    def step_wait(self):
        """The result of the :meth:`step_async` in flight, for every sub-env (as :meth:`step` returns it)."""
        self._check_open()
        groups = len(self._handles)
        if len(self._in_flight) != groups or any(kind != "step" for kind, _ in self._in_flight):
            raise gym.error.NoAsyncCallError("step_wait() without a step_async() in flight", "step_wait")
        if groups == 1:
            self._in_flight.popleft()
            return self._step_result(self._receive("vector_step"))
        responses = self._receive_all()
        infos: dict[str, Any] = {}
        for g, response in enumerate(responses):
            self._infos(response.infos, infos, offset=g * self.batch_size)
        obs = np.concatenate([_observations(self._decode_group_obs, r) for r in responses])
        self._last_obs = obs
        return (
            obs,
            np.concatenate([np.array(r.rewards, dtype=np.float64) for r in responses]),
            np.concatenate([np.array(r.terminated, dtype=np.bool_) for r in responses]),
            np.concatenate([np.array(r.truncated, dtype=np.bool_) for r in responses]),
            infos,
        )

    def async_reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """EnvPool's ``async_reset``: resets every group without waiting; each group's reset observation
        then comes from :meth:`recv` (reward 0, flags false). Sub-env ``i`` gets ``seed + i``."""
        self._check_open()
        self._check_idle("async_reset")
        super().reset(seed=seed)
        wire_options = _codec.to_value_map(options, "reset option")
        for g, handle in enumerate(self._handles):
            request = env_pb2.VectorResetRequest(handle=handle, options=wire_options)
            if seed is not None:
                request.seed = int(seed) + g * self.batch_size
            self._send("vector_reset", request, ("reset", g))
        self._ever_reset = True

    def send(self, actions, env_id=None) -> None:
        """EnvPool's ``send``: starts stepping the sub-envs ``env_id`` (whole groups, e.g. a :meth:`recv`'s
        ``info["env_id"]``; ``None`` = all) with ``actions`` (one row per id) and returns at once."""
        self._check_open()
        if env_id is None:
            groups = list(range(len(self._handles)))
        else:
            ids = np.asarray(env_id, dtype=np.int64).reshape(-1)
            if ids.size == 0 or ids.size % self.batch_size:
                raise ValueError(f"env_id must name whole groups of batch_size={self.batch_size} sub-envs, "
                                 f"got {ids.size} ids")
            rows = ids.reshape(-1, self.batch_size)
            groups = [int(row[0]) // self.batch_size for row in rows]
            for g, row in zip(groups, rows):
                if not np.array_equal(row, np.arange(g * self.batch_size, (g + 1) * self.batch_size)):
                    raise ValueError(f"env_id must name whole groups as recv() returned them "
                                     f"(sub-envs g*{self.batch_size} .. (g+1)*{self.batch_size}-1), got {row.tolist()}")
        busy = {g for _, g in self._in_flight}
        for g in groups:
            if g in busy:
                raise gym.error.AlreadyPendingCallError(
                    f"sub-envs {g * self.batch_size}..{(g + 1) * self.batch_size - 1} have a request in flight; "
                    "recv() it before sending them another", "send")
        self._send_steps(actions, groups)

    def recv(self):
        """EnvPool's ``recv``: the oldest group's result in flight, ``(obs, rewards, terminated, truncated,
        info)`` for its ``batch_size`` sub-envs; ``info["env_id"]`` holds their indices."""
        self._check_open()
        if not self._in_flight:
            raise gym.error.NoAsyncCallError("recv() without a request in flight: send() or async_reset() first",
                                             "recv")
        kind, g = self._in_flight.popleft()
        response = self._receive("vector_reset" if kind == "reset" else "vector_step")
        batch = _InfoBatch(self.batch_size)
        info: dict[str, Any] = {}
        for i, fields in enumerate(response.infos):
            if fields.fields:
                batch._add_info(info, _codec.from_value_map(fields.fields), i)
        obs = _observations(self._decode_group_obs, response)
        lo = g * self.batch_size
        self._store_group_obs(g, obs)
        info["env_id"] = np.arange(lo, lo + self.batch_size)
        if kind == "reset":
            zeros = np.zeros(self.batch_size, dtype=np.bool_)
            return obs, np.zeros(self.batch_size), zeros, zeros.copy(), info
        return (obs, np.array(response.rewards, dtype=np.float64), np.array(response.terminated, dtype=np.bool_),
                np.array(response.truncated, dtype=np.bool_), info)

    @property
    def pending(self) -> int:
        """Groups sent (:meth:`send`, :meth:`step_async`, :meth:`async_reset`) and not yet received."""
        return len(self._in_flight)

    def render(self) -> tuple[np.ndarray, ...] | None:
        """One uint8 (H, W, 3) frame per sub-env, like SyncVectorEnv.render()."""
        if self.render_mode is None:
            gym.logger.warn("render() called on a vector env made without render_mode; pass render_mode='rgb_array'")
            return None
        self._check_open()
        self._check_idle("render")
        return tuple(
            decode_frame(
                self._transport.call(
                    "render", env_pb2.RenderRequest(handle=self._handles[i // self.batch_size],
                                                    format=self._render_format, index=i % self.batch_size)
                )
            )
            for i in range(self.num_envs)
        )

    def close_extras(self, **kwargs: Any) -> None:
        try:
            try:
                self._receive_all()  # results nobody collected
            except Exception:
                pass
            for handle in self._handles:
                self._transport.call("close_env", env_pb2.CloseEnvRequest(handle=handle))
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

    def _vector_reset(self, seed, mask, wire_options, infos, selected) -> None:
        """Resets the sub-envs in ``mask`` (None = all) of every group concerned; ``seed`` is sub-env 0's base.

        Updates the last observations and adds the infos of the ``selected`` sub-envs to ``infos``.
        """
        batch = self.batch_size
        sent = []
        for g, handle in enumerate(self._handles):
            group_mask = None if mask is None else mask[g * batch:(g + 1) * batch]
            if group_mask is not None and not group_mask.any() and self._ever_reset:
                continue  # nothing to reset here; before the first reset the server says what it needs
            request = env_pb2.VectorResetRequest(handle=handle, options=wire_options)
            if seed is not None:
                request.seed = int(seed) + g * batch
            if group_mask is not None:
                request.reset_mask.extend(group_mask.tolist())
            sent.append(g)
            self._send("vector_reset", request, ("reset", g))
        responses = self._receive_all()
        self._ever_reset = True
        for g, response in zip(sent, responses):
            self._store_group_obs(g, self._decode_group_obs(response.observations))
            for i, fields in enumerate(response.infos):
                if selected[g * batch + i] and fields.fields:
                    self._add_info(infos, _codec.from_value_map(fields.fields), g * batch + i)

    def _send_steps(self, actions, groups) -> None:
        """Encodes the actions of ``groups`` (rows in that order; all checked first), then sends one
        VectorStep per group."""
        batch = self.batch_size
        if len(self._handles) == 1:
            requests = [env_pb2.VectorStepRequest(handle=self._handle,
                                                  actions=self._encoder.batch(actions, self.num_envs),
                                                  batch_encoding=_PACKED)]
        else:
            array = np.asarray(actions)
            rows = len(groups) * batch
            if array.ndim == 0 or array.shape[0] != rows:
                raise InvalidActionError(f"actions have shape {array.shape}, expected {rows} rows "
                                         f"(one per sub-env sent)")
            # Several server envs take the batch, so check the whole batch here: a bad action must not leave
            # some groups stepped and others not (one server env validates its batch before stepping).
            self._check_actions(array)
            requests = [env_pb2.VectorStepRequest(handle=self._handles[g],
                                                  actions=self._encoder.batch(array[k * batch:(k + 1) * batch], batch),
                                                  batch_encoding=_PACKED)
                        for k, g in enumerate(groups)]
        for g, request in zip(groups, requests):
            self._send("vector_step", request, ("step", g))

    def _store_group_obs(self, g: int, obs: np.ndarray) -> None:
        """Records group ``g``'s observations in a new array (an array handed out earlier is never changed)."""
        last = (np.zeros((self.num_envs, *obs.shape[1:]), dtype=obs.dtype) if self._last_obs is None
                else self._last_obs.copy())
        last[g * self.batch_size:(g + 1) * self.batch_size] = obs
        self._last_obs = last

    def _step_result(self, response):
        """One server vector env's VectorStepResponse as Gymnasium's step tuple."""
        infos = self._infos(response.infos)
        obs = _observations(self._decode_obs, response)
        self._last_obs = obs
        return (obs, np.array(response.rewards, dtype=np.float64), np.array(response.terminated, dtype=np.bool_),
                np.array(response.truncated, dtype=np.bool_), infos)

    def _check_actions(self, array: np.ndarray) -> None:
        space = self.single_action_space
        if isinstance(space, gym.spaces.Discrete):
            if not np.issubdtype(array.dtype, np.integer):
                return  # the encoder names the problem
            bad = (array < space.start) | (array >= space.start + space.n)
        else:
            if not np.issubdtype(array.dtype, np.number) or array.shape[1:] != space.shape:
                return
            with np.errstate(invalid="ignore"):
                bad = ~((array >= space.low) & (array <= space.high))
            bad = bad.reshape(array.shape[0], -1).any(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidActionError(f"action {array[i]!r} at row {i} is outside the action space {space} "
                                     "(no sub-env was stepped)")

    def _send(self, verb: str, request, what: tuple[str, int]) -> None:
        """Sends on the stream (pipelined), or keeps a unary request for :meth:`_receive` to call."""
        if self._transport.streaming:
            self._transport.send(verb, request)
        else:
            self._unary_queue.append((verb, request))
        self._in_flight.append(what)

    def _receive(self, verb: str):
        if self._transport.streaming:
            return self._transport.receive()
        queued_verb, request = self._unary_queue.popleft()
        return self._transport.call(queued_verb, request)

    def _receive_all(self) -> list:
        """Every response in flight, in order; the first error is raised after all are collected."""
        responses, error = [], None
        while self._in_flight:
            kind, _ = self._in_flight.popleft()
            try:
                responses.append(self._receive("vector_reset" if kind == "reset" else "vector_step"))
            except Exception as exc:
                if error is None:
                    error = exc
        if error is not None:
            raise error
        return responses

    def _infos(self, wire_infos, infos: dict[str, Any] | None = None, offset: int = 0) -> dict[str, Any]:
        infos = {} if infos is None else infos
        for i in [i for i, fields in enumerate(wire_infos) if fields.fields]:
            self._add_info(infos, _codec.from_value_map(wire_infos[i].fields), offset + i)
        return infos

    def _check_idle(self, what: str) -> None:
        if self._in_flight:
            raise gym.error.AlreadyPendingCallError(
                f"{what}() while {len(self._in_flight)} request(s) are in flight: step_wait() / recv() them first",
                what)

    def _check_open(self) -> None:
        if self.closed:
            raise gym.error.ClosedEnvironmentError(f"the gymrpc vector env {self.env_id} is closed; make a new one")

    def __repr__(self) -> str:
        return f"<RemoteVectorEnv {self.env_id} x{getattr(self, 'num_envs', '?')} at {self.address}>"

"""``RemoteEnv``: a ``gymnasium.Env`` whose environment runs on a gymrpc server."""

from __future__ import annotations

import os
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import logger, spaces
from gymnasium.envs.registration import EnvSpec

from gymrpc import _codec
from gymrpc._pb import common_pb2, env_pb2
from gymrpc._png import decode_png
from gymrpc._transport import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_CONNECT_TIMEOUT,
    Connection,
    resolve_address,
)
from gymrpc.errors import InvalidActionError, ProtocolError

#: The Gymnasium namespace under which gymrpc registers the server's environments.
NAMESPACE = "gymrpc"

_RENDER_FORMATS = {
    "png": env_pb2.RenderFormat.RENDER_FORMAT_PNG,
    "rgb": env_pb2.RenderFormat.RENDER_FORMAT_RGB,
}


def _streaming_default() -> bool:
    """Stream by default: measured faster than unary rpcs (bench/bench_client.py); ``GYMRPC_STREAMING=0`` opts out."""
    return os.environ.get("GYMRPC_STREAMING", "1").lower() not in ("0", "false", "no")


class ActionEncoder:
    """Builds wire tensors for actions of one space.

    Checks what the wire cannot carry (a non-integer Discrete action, a Box action of the wrong shape) before
    sending; range and NaN checks are the server's, so the client never disagrees with it.
    """

    def __init__(self, space: spaces.Space):
        self.space = space
        if isinstance(space, spaces.Discrete):
            self.discrete = True
            # Discrete action tensors are built once: a step then only copies a ready message.
            self._scalars = {
                a: common_pb2.Tensor(int64s=common_pb2.Int64Array(values=[a]))
                for a in range(space.start, space.start + min(space.n, 1024))
            }
        elif isinstance(space, spaces.Box):
            self.discrete = False
            self.dtype = space.dtype
            self.shape = space.shape
            self.field = _codec.payload_field(space.dtype)
        else:  # pragma: no cover - the wire has only Discrete and Box
            raise ProtocolError(f"unsupported action space {space}")

    def single(self, action: Any) -> common_pb2.Tensor:
        if self.discrete:
            value = _as_int(action)
            tensor = self._scalars.get(value)
            return tensor if tensor is not None else common_pb2.Tensor(int64s=common_pb2.Int64Array(values=[value]))
        array = np.asarray(action)
        if array.shape != self.shape:
            raise InvalidActionError(
                f"action has shape {array.shape}, the action space {self.space} needs shape {self.shape}"
            )
        return self._box(array, self.shape)

    def batch(self, actions: Any, num_envs: int) -> common_pb2.Tensor:
        array = np.asarray(actions)
        if self.discrete:
            if array.shape != (num_envs,) or not (
                np.issubdtype(array.dtype, np.integer) or array.dtype == object
            ):
                raise InvalidActionError(
                    f"actions must be {num_envs} integers (shape ({num_envs},)), got shape {array.shape} "
                    f"dtype {array.dtype}"
                )
            return common_pb2.Tensor(
                shape=(num_envs,), int64s=common_pb2.Int64Array(values=array.astype(np.int64).tolist())
            )
        shape = (num_envs, *self.shape)
        if array.shape != shape:
            raise InvalidActionError(f"actions have shape {array.shape}, expected {shape}")
        return self._box(array, shape)

    def _box(self, array: np.ndarray, shape) -> common_pb2.Tensor:
        # Cast like numpy would when the values fit (a float64 array of valid actions is common in user
        # code, e.g. Gymnasium's own heuristic); range and NaN checks stay with the server.
        array = array.astype(self.dtype, copy=False)
        tensor = common_pb2.Tensor(shape=shape)
        if self.field == "uint8s":
            tensor.uint8s = array.tobytes()
        else:
            getattr(tensor, self.field).values.extend(array.ravel().tolist())
        return tensor


def _as_int(action: Any) -> int:
    if type(action) is int:
        return action
    if isinstance(action, (int, np.integer)) and not isinstance(action, (bool, np.bool_)):
        return int(action)
    if isinstance(action, np.ndarray) and action.size == 1 and np.issubdtype(action.dtype, np.integer):
        return int(action.reshape(()))
    raise InvalidActionError(
        f"a Discrete action must be an integer, got {action!r} ({type(action).__name__})"
    )


class ObservationDecoder:
    """Turns wire tensors into observations of one space (single or batched)."""

    def __init__(self, space: spaces.Space, batch: int | None = None):
        self.space = space
        if isinstance(space, spaces.Discrete):
            self.dtype = np.dtype(np.int64)
            self.shape = () if batch is None else (batch,)
            self.fields = ("int64s", "int32s")
            self.scalar = batch is None
        elif isinstance(space, spaces.Box):
            self.dtype = space.dtype
            self.shape = space.shape if batch is None else (batch, *space.shape)
            self.fields = (_codec.payload_field(space.dtype),)
            self.scalar = False
        else:  # pragma: no cover
            raise ProtocolError(f"unsupported observation space {space}")

    def __call__(self, tensor: common_pb2.Tensor):
        kind = tensor.WhichOneof("payload")
        if kind not in self.fields:
            raise ProtocolError(
                f"the server sent a {kind} observation for the space {self.space} (expected {self.fields[0]})"
            )
        if kind == "uint8s":
            array = np.frombuffer(tensor.uint8s, dtype=np.uint8).copy()
        else:
            values = getattr(tensor, kind).values
            if self.scalar:
                return int(values[0])
            count = len(values)
            # np.array converts a repeated field in C at a fixed ~2 us; fromiter costs ~30 ns an element but
            # starts cheaper: measured crossover ~40 elements (numpy 2.4, protobuf upb 7.36).
            if count > 40:
                array = np.array(values, dtype=self.dtype)
            else:
                array = np.fromiter(values, dtype=self.dtype, count=count)
        return array.reshape(self.shape)

    def packed(self, data: bytes) -> np.ndarray:
        """Decodes ``VectorStepResponse.packed_observations`` (protocol 1.1): the batch's elements as
        little-endian bytes of the space's dtype. Returns a new, writable array."""
        wire = self.dtype.newbyteorder("<")
        expected = int(np.prod(self.shape, dtype=np.int64)) * wire.itemsize
        if len(data) != expected:
            raise ProtocolError(
                f"the server sent {len(data)} bytes of packed observations; the space {self.space} batched "
                f"as {self.shape} needs {expected}"
            )
        return np.frombuffer(data, dtype=wire).astype(self.dtype).reshape(self.shape)


class RemoteEnv(gym.Env):
    """A Gymnasium environment running on a gymrpc server.

    Args:
        env_id: the server's id, e.g. ``"LunarLander-v3"`` (see :func:`gymrpc.list_envs`).
        address: ``host:port`` of the server; default ``$GYMRPC_ADDRESS`` or ``localhost:50051``.
        render_mode: ``None`` or ``"rgb_array"`` (fixed for the env's life, as in Gymnasium).
        streaming: step over one bidirectional Session stream (default; faster) or unary rpcs (``False``).
        render_format: ``"rgb"`` (raw pixels, default; nothing to decode) or ``"png"`` (smaller on slow
            links; decoded by :mod:`gymrpc._png`).
        connect_timeout: seconds to wait for the server at construction.
        call_timeout: deadline of each unary call in seconds.
        **options: the environment's make options (``ListEnvs`` names them, e.g. ``continuous``,
            ``enable_wind``, ``max_episode_steps``).

    The server applies the time limit (``max_episode_steps``) and validates actions; a bad action raises
    :class:`gymrpc.InvalidActionError` and the environment stays usable.
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(
        self,
        env_id: str,
        address: str | None = None,
        render_mode: str | None = None,
        *,
        streaming: bool | None = None,
        render_format: str = "rgb",
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
        **options: Any,
    ):
        if render_format not in _RENDER_FORMATS:
            raise ValueError(f"render_format must be one of {sorted(_RENDER_FORMATS)}, got {render_format!r}")
        self._closed = True  # until fully made, so close() is safe on a half-built env
        self.env_id = env_id
        self.address = resolve_address(address)
        self._connection = Connection(self.address, connect_timeout=connect_timeout, call_timeout=call_timeout)
        try:
            if streaming is None:
                streaming = _streaming_default() and "session-stream" in self._connection.info.capabilities
            self._transport = self._connection.session() if streaming else self._connection.unary()
            made = self._transport.call(
                "make_env", env_pb2.MakeEnvRequest(env_id=env_id, options=_codec.to_value_map(options))
            )
        except BaseException:
            self._connection.close()
            raise
        self._closed = False
        self._handle = made.handle
        info = made.env
        self.env_info = info
        self.observation_space = _codec.space_from_proto(info.observation_space)
        self.action_space = _codec.space_from_proto(info.action_space)
        self.metadata = {"render_modes": list(info.render_modes), "render_fps": info.render_fps or None}
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            self.close()
            raise ValueError(
                f"render_mode={render_mode!r} is not offered by {env_id}; choose one of "
                f"{self.metadata['render_modes']} or None"
            )
        self.render_mode = render_mode
        self._render_format = _RENDER_FORMATS[render_format]
        #: Time limit the server applies (``None`` = no limit); Gymnasium's ``spec.max_episode_steps``.
        self.max_episode_steps = info.max_episode_steps or None
        self.spec = _spec_for(env_id, self.address, info, options)
        self._encode_action = ActionEncoder(self.action_space).single
        self._decode_obs = ObservationDecoder(self.observation_space)

    @property
    def streaming(self) -> bool:
        """Whether this env talks to the server over a Session stream."""
        return self._transport.streaming

    # ----------------------------------------------------------------------------------------- Env API

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Starts an episode; ``seed`` re-seeds the server-side generator, ``None`` continues it."""
        super().reset(seed=seed)  # the client-side np_random, for wrappers that draw from it
        self._check_open()
        request = env_pb2.ResetRequest(handle=self._handle, options=_codec.to_value_map(options, "reset option"))
        if seed is not None:
            request.seed = int(seed)
        response = self._transport.call("reset", request)
        return self._decode_obs(response.observation), _codec.from_value_map(response.info)

    def step(self, action) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        self._check_open()
        request = env_pb2.StepRequest(handle=self._handle)
        request.action.CopyFrom(self._encode_action(action))
        response = self._transport.call("step", request)
        info = _codec.from_value_map(response.info) if response.info else {}
        return (
            self._decode_obs(response.observation),
            response.reward,
            response.terminated,
            response.truncated,
            info,
        )

    def render(self):
        """The current frame as uint8 (height, width, 3) when ``render_mode="rgb_array"``, else ``None``."""
        if self.render_mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. You can specify the "
                f'render_mode at initialization, e.g. gymrpc.make("{self.env_id}", render_mode="rgb_array")'
            )
            return None
        self._check_open()
        response = self._transport.call(
            "render", env_pb2.RenderRequest(handle=self._handle, format=self._render_format)
        )
        return decode_frame(response)

    def close(self) -> None:
        """Closes the server-side environment and the connection. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._transport.call("close_env", env_pb2.CloseEnvRequest(handle=self._handle))
        except Exception:  # the server may be gone or have reclaimed the handle; closing must not fail
            pass
        finally:
            self._transport.close()
            self._connection.close()

    # ----------------------------------------------------------------------------------- pipelining

    def step_pipelined(self, actions, window: int = 32):
        """Steps a fixed sequence of actions, keeping up to ``window`` requests in flight on the stream.

        For open-loop work (replaying recorded actions, random or scripted agents) this hides the
        round-trip latency. Stops after the step that ends the episode (later actions are not applied)
        and returns the list of ``(obs, reward, terminated, truncated, info)`` tuples. Needs streaming.
        """
        self._check_open()
        if not self._transport.streaming:
            return self._step_each(actions)
        transport = self._transport
        results = []
        ended = False
        error = None
        for action in actions:
            if ended or error is not None:
                break
            request = env_pb2.StepRequest(handle=self._handle)
            request.action.CopyFrom(self._encode_action(action))
            transport.send("step", request)
            if transport.pending >= window:
                ended, error = self._collect(results, ended, error)
        while transport.pending:
            ended, error = self._collect(results, ended, error)
        if error is not None:
            raise error
        return results

    def _collect(self, results, ended, error):
        try:
            response = self._transport.receive()
        except Exception as exc:  # after the episode ended the server answers RESET_NEEDED: expected
            if not ended and error is None:
                error = exc
            return ended, error
        if not ended and error is None:
            info = _codec.from_value_map(response.info) if response.info else {}
            results.append(
                (self._decode_obs(response.observation), response.reward, response.terminated, response.truncated, info)
            )
            ended = response.terminated or response.truncated
        return ended, error

    def _step_each(self, actions):
        results = []
        for action in actions:
            result = self.step(action)
            results.append(result)
            if result[2] or result[3]:
                break
        return results

    # ----------------------------------------------------------------------------------------- helpers

    def _check_open(self) -> None:
        if self._closed:
            raise gym.error.ClosedEnvironmentError(f"the gymrpc env {self.env_id} is closed; make a new one")

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("stream" if self.streaming else "unary")
        return f"<RemoteEnv {self.env_id} at {self.address} ({state})>"


def decode_frame(response: env_pb2.RenderResponse) -> np.ndarray:
    """A RenderResponse's frame as uint8 (height, width, 3)."""
    if response.format == env_pb2.RenderFormat.RENDER_FORMAT_RGB:
        expected = response.height * response.width * 3
        if len(response.data) != expected:
            raise ProtocolError(f"raw frame has {len(response.data)} bytes, expected {expected}")
        return np.frombuffer(response.data, dtype=np.uint8).reshape(response.height, response.width, 3).copy()
    frame = decode_png(response.data)
    if frame.shape[:2] != (response.height, response.width):
        raise ProtocolError(f"PNG frame is {frame.shape[1]}x{frame.shape[0]}, the server said "
                            f"{response.width}x{response.height}")
    return frame


def _spec_for(env_id: str, address: str, info: env_pb2.EnvInfo, options: dict[str, Any]) -> EnvSpec:
    """The EnvSpec of ``gymrpc/<env_id>``, so ``env.spec.make()`` (used by check_env) makes a twin."""
    return EnvSpec(
        id=f"{NAMESPACE}/{env_id}",
        entry_point="gymrpc.env:RemoteEnv",
        reward_threshold=info.reward_threshold if info.HasField("reward_threshold") else None,
        nondeterministic=False,
        max_episode_steps=None,  # applied by the server; see RemoteEnv.max_episode_steps
        disable_env_checker=True,
        kwargs={"env_id": env_id, "address": address, **options},
    )

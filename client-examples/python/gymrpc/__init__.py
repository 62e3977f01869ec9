"""gymrpc: Gymnasium environments served by a gymrpc server, used as ordinary Gymnasium objects.

    import gymrpc
    env = gymrpc.make("LunarLander-v3", address="localhost:50051")
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

    envs = gymrpc.make_vec("LunarLander-v3", num_envs=64)     # one rpc per batch
    env = gymnasium.make("gymrpc/CartPole-v1")                 # registered on import

Start a server with ``./gymrpc serve`` from the repository. Errors are :class:`ServerError` subclasses that
also derive from the matching built-in / Gymnasium exception (see :mod:`gymrpc.errors`).
"""

from __future__ import annotations

from typing import Any

from gymrpc import _grpc_tuning  # noqa: F401 - first: sets GRPC_EXPERIMENTS before gRPC core starts
from gymnasium.vector import AutoresetMode

from gymrpc._pb import env_pb2
from gymrpc._transport import DEFAULT_ADDRESS, Connection, ServerInfo
from gymrpc.env import RemoteEnv
from gymrpc.errors import (
    InternalServerError,
    InvalidActionError,
    InvalidArgumentError,
    InvalidOptionError,
    PermissionDeniedError,
    ProtocolError,
    ResetNeededError,
    ResourceExhaustedError,
    ServerError,
    ServerTimeoutError,
    ServerUnavailableError,
    UnknownEnvError,
    UnknownHandleError,
)
from gymrpc.registration import KNOWN_ENV_IDS, register_envs, register_known_envs
from gymrpc.vector import RemoteVectorEnv

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ADDRESS",
    "KNOWN_ENV_IDS",
    "AutoresetMode",
    "InternalServerError",
    "InvalidActionError",
    "InvalidArgumentError",
    "InvalidOptionError",
    "PermissionDeniedError",
    "ProtocolError",
    "RemoteEnv",
    "RemoteVectorEnv",
    "ResetNeededError",
    "ResourceExhaustedError",
    "ServerError",
    "ServerInfo",
    "ServerTimeoutError",
    "ServerUnavailableError",
    "UnknownEnvError",
    "UnknownHandleError",
    "list_envs",
    "make",
    "make_vec",
    "register_envs",
    "server_info",
]


def make(env_id: str, address: str | None = None, render_mode: str | None = None, **options: Any) -> RemoteEnv:
    """Makes one server environment as a ``gymnasium.Env`` (see :class:`gymrpc.RemoteEnv` for the arguments).

    ``env_id`` may carry the ``gymrpc/`` namespace. Keyword options are the environment's make options
    (e.g. ``continuous=True``, ``enable_wind=True``) plus the client settings ``streaming``,
    ``render_format``, ``connect_timeout`` and ``call_timeout``.
    """
    return RemoteEnv(_strip_namespace(env_id), address=address, render_mode=render_mode, **options)


def make_vec(
    env_id: str,
    num_envs: int,
    address: str | list[str] | tuple[str, ...] | None = None,
    autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
    **options: Any,
) -> RemoteVectorEnv:
    """Makes ``num_envs`` server environments stepped as one batch (a ``gymnasium.vector.VectorEnv``).

    Client settings (see :class:`gymrpc.RemoteVectorEnv`): ``batch_size`` (EnvPool-style ``send``/``recv``
    of groups, so the server steps some sub-envs while the caller works on others), ``threads``,
    ``streaming``, ``render_mode``, ``render_format``, ``connect_timeout``, ``call_timeout``.
    A list of addresses spreads the sub-envs over those servers (:class:`gymrpc.farm.EnvFarm`: one batched
    stream per server, stepped concurrently, same seeding and autoreset semantics).
    """
    if isinstance(address, (list, tuple)):
        from gymrpc.farm import EnvFarm
        return EnvFarm(_strip_namespace(env_id), num_envs, address, autoreset_mode=autoreset_mode, **options)
    return RemoteVectorEnv(
        _strip_namespace(env_id), num_envs=num_envs, address=address, autoreset_mode=autoreset_mode, **options
    )


def list_envs(address: str | None = None) -> list[env_pb2.EnvInfo]:
    """The environments the server offers, with spaces, limits, render modes and make options."""
    connection = Connection(address)
    try:
        return list(connection.unary().call("list_envs", env_pb2.ListEnvsRequest()).envs)
    finally:
        connection.close()


def server_info(address: str | None = None) -> ServerInfo:
    """The server's protocol version, capabilities and limits."""
    connection = Connection(address)
    connection.close()
    return connection.info


def _strip_namespace(env_id: str) -> str:
    prefix = "gymrpc/"
    return env_id[len(prefix):] if env_id.startswith(prefix) else env_id


register_known_envs()

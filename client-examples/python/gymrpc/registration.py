"""Gymnasium registration of the server's environments under the ``gymrpc/`` namespace.

On import, :mod:`gymrpc` registers the ids the gymrpc server ships (no server is contacted at import), so
``gymnasium.make("gymrpc/LunarLander-v3", address="host:port")`` and
``gymnasium.make_vec("gymrpc/LunarLander-v3", num_envs=64, address=...)`` work; the latter uses the
server's batched stepping (``vector_entry_point``). ``gymrpc/Remote-v0`` takes any server id as
``env_id=``. :func:`register_envs` asks a running server for its ids and registers those too.
"""

from __future__ import annotations

import gymnasium as gym

from gymrpc.env import NAMESPACE

#: The ids the gymrpc server registers (server module, EnvRegistry.standard()).
KNOWN_ENV_IDS = ("FourRooms-v0", "CartPole-v1", "LunarLander-v3", "LunarLanderContinuous-v3")

_ENTRY_POINT = "gymrpc.env:RemoteEnv"
_VECTOR_ENTRY_POINT = "gymrpc.vector:RemoteVectorEnv"


def _register(gym_id: str, kwargs: dict, reward_threshold=None) -> None:
    gym.registry.pop(gym_id, None)  # re-registering (register_envs) must not warn
    gym.register(
        id=gym_id,
        entry_point=_ENTRY_POINT,
        vector_entry_point=_VECTOR_ENTRY_POINT,
        # The server applies the time limit; a client-side TimeLimit would only duplicate it.
        max_episode_steps=None,
        reward_threshold=reward_threshold,
        kwargs=kwargs,
    )


def register_known_envs() -> None:
    """Registers ``gymrpc/<id>`` for every id in :data:`KNOWN_ENV_IDS` plus ``gymrpc/Remote-v0``."""
    for env_id in KNOWN_ENV_IDS:
        _register(f"{NAMESPACE}/{env_id}", {"env_id": env_id})
    _register(f"{NAMESPACE}/Remote-v0", {})


def register_envs(address: str | None = None) -> list[str]:
    """Registers ``gymrpc/<id>`` for every environment the server at ``address`` lists; returns the ids.

    The registered specs carry the server's reward threshold and the address as default kwarg.
    """
    from gymrpc import list_envs

    ids = []
    for info in list_envs(address):
        gym_id = f"{NAMESPACE}/{info.id}"
        kwargs = {"env_id": info.id}
        if address is not None:
            kwargs["address"] = address
        _register(gym_id, kwargs, info.reward_threshold if info.HasField("reward_threshold") else None)
        ids.append(gym_id)
    return ids

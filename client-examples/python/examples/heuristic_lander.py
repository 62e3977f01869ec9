"""Gymnasium's LunarLander heuristic, playing LunarLander-v3 on a gymrpc server over the wire.

The controller is a line-for-line port of ``heuristic()`` in Gymnasium 1.3's
``gymnasium/envs/box2d/lunar_lander.py`` (a PID-like rule on the angle and the hover height); it only
swaps ``env.unwrapped.continuous`` for a flag, since the physics runs on the server. Gymnasium's own
test expects it to land; so do we: the mean return over the episodes should be >= 200 (the env's
reward threshold).

    ./gymrpc serve &                       # from the repository root
    python heuristic_lander.py --episodes 10
    python heuristic_lander.py --continuous --address localhost:50051
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import gymrpc


def heuristic(s, continuous: bool):
    """Gymnasium's ``heuristic(env, s)``: the action for state ``s`` (see the module docstring)."""
    angle_targ = s[0] * 0.5 + s[2] * 1.0  # angle should point towards center
    if angle_targ > 0.4:
        angle_targ = 0.4  # more than 0.4 radians (22 degrees) is bad
    if angle_targ < -0.4:
        angle_targ = -0.4
    hover_targ = 0.55 * np.abs(s[0])  # target y should be proportional to horizontal offset

    angle_todo = (angle_targ - s[4]) * 0.5 - (s[5]) * 1.0
    hover_todo = (hover_targ - s[1]) * 0.5 - (s[3]) * 0.5

    if s[6] or s[7]:  # legs have contact
        angle_todo = 0
        hover_todo = -(s[3]) * 0.5  # override to reduce fall speed, that's all we need after contact

    if continuous:
        a = np.array([hover_todo * 20 - 1, -angle_todo * 20])
        a = np.clip(a, -1, +1)
    else:
        a = 0
        if hover_todo > np.abs(angle_todo) and hover_todo > 0.05:
            a = 2
        elif angle_todo < -0.05:
            a = 3
        elif angle_todo > +0.05:
            a = 1
    return a


def run_episode(env, seed: int | None, continuous: bool) -> tuple[float, int]:
    """Plays one episode with the heuristic; returns (return, steps)."""
    s, _info = env.reset(seed=seed)
    total, steps = 0.0, 0
    while True:
        s, r, terminated, truncated, _info = env.step(heuristic(s, continuous))
        total += r
        steps += 1
        if terminated or truncated:
            return total, steps


def evaluate(env, episodes: int, seed: int, continuous: bool, verbose: bool = False) -> list[float]:
    """Returns of ``episodes`` episodes seeded ``seed, seed+1, ...``."""
    returns = []
    for episode in range(episodes):
        ret, steps = run_episode(env, seed + episode, continuous)
        returns.append(ret)
        if verbose:
            print(f"episode {episode:3d}  seed {seed + episode:5d}  return {ret:+8.2f}  steps {steps:4d}")
    return returns


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", default=None, help="server host:port (default $GYMRPC_ADDRESS or localhost:50051)")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0, help="episode i is seeded seed + i")
    parser.add_argument("--continuous", action="store_true", help="play LunarLanderContinuous-v3")
    args = parser.parse_args(argv)

    env_id = "LunarLanderContinuous-v3" if args.continuous else "LunarLander-v3"
    env = gymrpc.make(env_id, address=args.address)
    try:
        start = time.perf_counter()
        returns = evaluate(env, args.episodes, args.seed, args.continuous, verbose=True)
        elapsed = time.perf_counter() - start
    finally:
        env.close()
    mean = float(np.mean(returns))
    landed = mean >= 200.0
    print(f"{env_id} over gymrpc ({env.address}, {'stream' if env.streaming else 'unary'}): mean return "
          f"{mean:.2f} +- {np.std(returns):.2f} over {len(returns)} episodes in {elapsed:.1f} s -> "
          f"{'LANDED (>= 200)' if landed else 'did not reach 200'}")
    return 0 if landed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except gymrpc.ServerUnavailableError as exc:
        sys.exit(f"error: {exc}")

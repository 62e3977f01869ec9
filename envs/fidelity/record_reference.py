"""Record Gymnasium 1.3 LunarLander-v3 episodes with every random draw, for replay in the Java port.

Each episode: a header, the env's random draws in order ("d" lines: uniform values, or "i"-prefixed
integers for the wind indices), the reset observation ("o"), then one "s" line per step:
action, reward, terminated (0/1), truncated (0/1), the 8 observation values, and the lander's
`awake` flag after the step (0/1). The Java side (LunarLanderFidelityReplay) feeds the same draws and
actions to the port and compares step by step.

Draws are logged by wrapping the generator that `gymnasium.utils.seeding.np_random` returns (the env's
own `np_random`), so the env code runs unmodified. Actions: uniformly random (`--policy random`, drawn
from `np.random.default_rng(seed + 1_000_000)`) or Gymnasium's heuristic (`--policy heuristic`).

    python envs/fidelity/record_reference.py --seeds 0:2000 --policy random --out random.txt
"""
import argparse

import gymnasium as gym
import numpy as np
from gymnasium.envs.box2d.lunar_lander import heuristic
from gymnasium.utils import seeding


class LoggingGenerator:
    """Forwards to a NumPy Generator and logs uniform / integers draws."""

    def __init__(self, rng, log):
        self._rng = rng
        self._log = log

    def uniform(self, low=0.0, high=1.0, size=None):
        v = self._rng.uniform(low, high, size)
        self._log.extend([repr(float(x)) for x in np.atleast_1d(v)])
        return v

    def integers(self, *args, **kwargs):
        v = self._rng.integers(*args, **kwargs)
        self._log.extend(["i" + str(int(x)) for x in np.atleast_1d(v)])
        return v

    def __getattr__(self, name):
        raise AttributeError(f"unexpected draw kind {name}: extend LoggingGenerator")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="0:1000", help="first:last (exclusive)")
    p.add_argument("--policy", choices=["random", "heuristic"], default="random")
    p.add_argument("--continuous", action="store_true")
    p.add_argument("--wind", action="store_true")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    first, last = (int(x) for x in args.seeds.split(":"))

    log: list[str] = []
    original = seeding.np_random

    def logging_np_random(seed=None):
        rng, s = original(seed)
        return LoggingGenerator(rng, log), s

    seeding.np_random = logging_np_random
    env = gym.make("LunarLander-v3", continuous=args.continuous, enable_wind=args.wind)
    u = env.unwrapped
    f = lambda x: repr(float(x))  # noqa: E731
    with open(args.out, "w") as out:
        for seed in range(first, last):
            log.clear()
            actions = np.random.default_rng(seed + 1_000_000)
            obs, _ = env.reset(seed=seed)
            reset_obs = obs
            lines = []
            ret = 0.0
            while True:
                if args.policy == "heuristic":
                    a = heuristic(u, obs)
                elif args.continuous:
                    a = actions.uniform(-1, 1, 2).astype(np.float32)
                else:
                    a = int(actions.integers(0, 4))
                obs, r, term, trunc, _ = env.step(a)
                ret += r
                act = ",".join(f(x) for x in a) if args.continuous else str(int(a))
                lines.append(f"s {act} {f(r)} {int(term)} {int(trunc)} " + " ".join(f(x) for x in obs)
                             + f" {int(u.lander.awake)}")
                if term or trunc:
                    break
            out.write(f"seed {seed} continuous {str(args.continuous).lower()} wind {str(args.wind).lower()} "
                      f"steps {len(lines)} return {float(ret)!r}\n")
            for i in range(0, len(log), 6):
                out.write("d " + " ".join(log[i:i + 6]) + "\n")
            out.write("o " + " ".join(f(x) for x in reset_obs) + "\n")
            out.write("\n".join(lines) + "\n")
    env.close()


if __name__ == "__main__":
    main()

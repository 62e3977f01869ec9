"""Gymnasium's in-process LunarLander-v3 steps/s: the reference for `./gymrpc bench envs`.

Same loop as the JMH `step` benchmark (EnvStepBenchmark): one env, uniformly random actions, reset at
episode end. Prints steps/s by wall clock and by this thread's CPU time (less disturbed by other
processes on a shared machine), for a few rounds. Needs gymnasium and Box2D (pybox2d):

    python bench/gymnasium_speed.py [--steps 100000] [--rounds 3] [--env LunarLander-v3]
"""
import argparse
import time

import gymnasium as gym
import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--env", default="LunarLander-v3")
    p.add_argument("--steps", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    env = gym.make(args.env)
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    for r in range(args.rounds + 1):  # round 0 is a warm-up
        steps = args.steps if r else args.steps // 10
        actions = rng.integers(0, 4, steps).tolist()
        w0, c0 = time.perf_counter(), time.thread_time()
        for a in actions:
            _, _, terminated, truncated, _ = env.step(a)
            if terminated or truncated:
                env.reset()
        wall, cpu = time.perf_counter() - w0, time.thread_time() - c0
        if r:
            print(f"gymnasium {gym.__version__} {args.env} round {r}: {steps / wall:,.0f} steps/s wall, "
                  f"{steps / cpu:,.0f} steps/s thread CPU ({cpu * 1e6 / steps:.1f} us/step)")
    env.close()


if __name__ == "__main__":
    main()

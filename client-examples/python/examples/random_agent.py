"""A random agent on a gymrpc server: the smallest complete client.

    ./gymrpc serve &                       # from the repository root
    python random_agent.py --env CartPole-v1 --episodes 5
    python random_agent.py --env LunarLander-v3 --vector 8     # 8 sub-envs stepped as one batch
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import gymrpc


def run_single(args) -> None:
    env = gymrpc.make(args.env, address=args.address)
    env.action_space.seed(args.seed)
    print(f"{args.env}: observation space {env.observation_space}, action space {env.action_space}")
    steps = 0
    start = time.perf_counter()
    try:
        for episode in range(args.episodes):
            obs, info = env.reset(seed=args.seed + episode)
            total, done = 0.0, False
            while not done:
                obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
                total += reward
                steps += 1
                done = terminated or truncated
            print(f"episode {episode}: return {total:+.2f} ({'terminated' if terminated else 'truncated'})")
    finally:
        env.close()
    elapsed = time.perf_counter() - start
    print(f"{steps} steps in {elapsed:.2f} s = {steps / elapsed:,.0f} steps/s")


def run_vector(args) -> None:
    envs = gymrpc.make_vec(args.env, num_envs=args.vector, address=args.address)
    envs.action_space.seed(args.seed)
    returns, finished = np.zeros(envs.num_envs), []
    steps = 0
    start = time.perf_counter()
    try:
        obs, infos = envs.reset(seed=args.seed)
        # NEXT_STEP autoreset: the step after an episode ends resets that sub-env (reward 0).
        just_ended = np.zeros(envs.num_envs, dtype=bool)
        while len(finished) < args.episodes:
            obs, rewards, terminated, truncated, infos = envs.step(envs.action_space.sample())
            steps += int((~just_ended).sum())
            returns += np.where(just_ended, 0.0, rewards)
            ended = (terminated | truncated) & ~just_ended
            finished.extend(returns[ended].tolist())
            returns[ended] = 0.0
            just_ended = ended
    finally:
        envs.close()
    elapsed = time.perf_counter() - start
    print(f"{len(finished)} episodes, mean return {np.mean(finished):+.2f}; {steps} env steps in "
          f"{elapsed:.2f} s = {steps / elapsed:,.0f} env steps/s")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Random agent on a gymrpc server.")
    parser.add_argument("--address", default=None, help="server host:port (default $GYMRPC_ADDRESS or localhost:50051)")
    parser.add_argument("--env", default="CartPole-v1", help="server env id (gymrpc.list_envs() lists them)")
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vector", type=int, default=0, help="use a vector env with this many sub-envs")
    args = parser.parse_args(argv)
    run_vector(args) if args.vector else run_single(args)


if __name__ == "__main__":
    try:
        main()
    except gymrpc.ServerUnavailableError as exc:
        raise SystemExit(f"error: {exc}")

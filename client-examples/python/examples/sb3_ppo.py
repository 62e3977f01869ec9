"""Stable-Baselines3 PPO on gymrpc envs, on the batched path (one VectorStep rpc per step for all envs).

    ./gymrpc serve &
    python examples/sb3_ppo.py --env LunarLander-v3 --n-envs 8 --timesteps 50000
    python examples/sb3_ppo.py --compare      # also SB3's own make_vec_env (DummyVecEnv: one rpc per env per step)

Needs stable-baselines3 (``pip install "gymrpc[sb3]"``). Prints SB3's ``time/fps`` for each path; figures
depend on the machine and its load, so compare paths from one run.
"""

from __future__ import annotations

import argparse
import time

import gymrpc  # first: it tunes grpcio before grpc is imported (gymrpc/_grpc_tuning.py)
import gymrpc.sb3


def train(venv, timesteps: int, seed: int, tensorboard_log: str | None) -> tuple[float, object]:
    from stable_baselines3 import PPO

    model = PPO("MlpPolicy", venv, n_steps=256, batch_size=256, n_epochs=4, seed=seed, device="cpu",
                tensorboard_log=tensorboard_log, verbose=0)
    start = time.perf_counter()
    model.learn(total_timesteps=timesteps)
    return model.num_timesteps / (time.perf_counter() - start), model


def step_rate(venv, steps: int, seed: int) -> float:
    """VecEnv steps/s (env-steps, all envs) with random actions through SB3's VecEnv interface."""
    import numpy as np

    rng = np.random.default_rng(seed)
    venv.reset()
    start = time.perf_counter()
    for _ in range(steps):
        venv.step(rng.integers(0, venv.action_space.n, venv.num_envs))
    return steps * venv.num_envs / (time.perf_counter() - start)


def compare_stepping(args) -> dict:
    """The two VecEnvs' stepping alone (no training), interleaved over 3 rounds: median env-steps/s."""
    from stable_baselines3.common.env_util import make_vec_env

    import numpy as np

    ours = gymrpc.sb3.make_vec_env(args.env, n_envs=args.n_envs, seed=args.seed, address=args.address)
    dummy = make_vec_env(lambda: gymrpc.make(args.env, address=args.address), n_envs=args.n_envs, seed=args.seed)
    rates = {"gymrpc.sb3 (one batched stream)": [], "SB3 DummyVecEnv (one rpc per env)": []}
    try:
        for venv in (ours, dummy):  # warm-up
            step_rate(venv, 50, args.seed)
        for r in range(3):
            rates["gymrpc.sb3 (one batched stream)"].append(step_rate(ours, args.steps_only, args.seed + r))
            rates["SB3 DummyVecEnv (one rpc per env)"].append(step_rate(dummy, args.steps_only, args.seed + r))
    finally:
        ours.close()
        dummy.close()
    for name, values in rates.items():
        print(f"{name:<40} {np.median(values):>9,.0f} env-steps/s (rounds {' / '.join(f'{v:,.0f}' for v in values)})")
    return {name: float(np.median(values)) for name, values in rates.items()}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", default="LunarLander-v3")
    parser.add_argument("--address", default="localhost:50051")
    parser.add_argument("--n-envs", type=int, default=8)
    parser.add_argument("--timesteps", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tensorboard-log", default=None, help="SB3's tensorboard_log directory")
    parser.add_argument("--compare", action="store_true",
                        help="also train with SB3's make_vec_env over single gymrpc envs (DummyVecEnv)")
    parser.add_argument("--steps-only", type=int, default=0, metavar="N",
                        help="instead of training, time N VecEnv steps with random actions on both paths "
                             "(interleaved, 3 rounds)")
    args = parser.parse_args(argv)
    if args.steps_only:
        return compare_stepping(args)

    results = {}
    venv = gymrpc.sb3.make_vec_env(args.env, n_envs=args.n_envs, seed=args.seed, address=args.address)
    try:
        fps, model = train(venv, args.timesteps, args.seed, args.tensorboard_log)
        results["gymrpc.sb3.make_vec_env (one batched stream)"] = fps
        from stable_baselines3.common.evaluation import evaluate_policy

        mean, std = evaluate_policy(model, venv, n_eval_episodes=10)
        print(f"evaluation after {model.num_timesteps} steps: {mean:.1f} +- {std:.1f}")
    finally:
        venv.close()
    if args.compare:
        from stable_baselines3.common.env_util import make_vec_env

        dummy = make_vec_env(lambda: gymrpc.make(args.env, address=args.address), n_envs=args.n_envs, seed=args.seed)
        try:
            results["SB3 make_vec_env (DummyVecEnv, one rpc per env per step)"] = train(
                dummy, args.timesteps, args.seed, None)[0]
        finally:
            dummy.close()
    for name, fps in results.items():
        print(f"{name:<60} {fps:>8,.0f} steps/s (PPO, {args.n_envs} envs, {args.env})")
    return results


if __name__ == "__main__":
    main()

"""Train Discrete SAC on FourRooms on a gymrpc server and plot the learning curve (the paper's Figure 1 setup,
shortened by default).

    ./gymrpc serve &                                   # from the repository root
    pip install "./client-examples/python[agents]"    # gymrpc + tqdm + matplotlib
    python train_sac_fourrooms.py --episodes 200 --seeds 2 --grokfast --out fourrooms.png

Each run is a job on the server (watched with a progress bar); with --seeds > 1 the plot shows the mean
discounted return across seeds and its 95% confidence band, like the paper's figures; --grokfast adds the
SAC + Grokfast variant. The paper's full setting is --episodes 1000 --seeds 5 (hours on two cores).
"""

from __future__ import annotations

import argparse

import numpy as np

from gymrpc.agents import AgentClient, agent_pb2, describe_job

# Student t quantiles t(0.975, df) for the 95% confidence interval of a mean over few seeds.
_T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]


def band(curves: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% confidence interval across runs, over the episodes every run has."""
    n = min(len(c) for c in curves)
    data = np.stack([c[:n] for c in curves])
    mean = data.mean(axis=0)
    if len(curves) == 1:
        return mean, mean, mean
    half = _T975[min(len(curves) - 2, len(_T975) - 1)] * data.std(axis=0, ddof=1) / np.sqrt(len(curves))
    return mean, mean - half, mean + half


def smooth(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average (the first points average what is there)."""
    if window <= 1:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    out = np.empty_like(y)
    for i in range(len(y)):
        lo = max(0, i + 1 - window)
        out[i] = (c[i + 1] - c[lo]) / (i + 1 - lo)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default=None, help="gymrpc server (default: $GYMRPC_ADDRESS or localhost:50051)")
    parser.add_argument("--episodes", type=int, default=200, help="training episodes per run (paper: 1000)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds per variant (paper: 5)")
    parser.add_argument("--grokfast", action="store_true", help="also train SAC + Grokfast")
    parser.add_argument("--smooth", type=int, default=10, help="moving-average window in episodes")
    parser.add_argument("--out", default="sac_fourrooms.png", help="output PNG")
    args = parser.parse_args()

    variants = {"SAC": {}}
    if args.grokfast:
        variants["SAC + Grokfast"] = {"grokfast": True}

    curves: dict[str, list[np.ndarray]] = {name: [] for name in variants}
    with AgentClient(args.address) as client:
        for name, extra in variants.items():
            for seed in range(args.seeds):
                job = client.train("sac", "FourRooms-v0", seed=seed, episodes=args.episodes,
                                   label=f"{name} seed {seed}", **extra)
                print(f"{name} seed {seed}: job {job.job_id}")
                job = client.watch(job.job_id)
                if job.state != agent_pb2.JOB_STATE_SUCCEEDED:
                    raise SystemExit(f"job ended: {describe_job(job)}")
                result = client.evaluate(job.model_id, episodes=20, seed=1000)
                print(f"  model {job.model_id}: greedy return {result.mean_return:.2f} +- {result.std_return:.2f}, "
                      f"reached the goal in {100 * result.success_rate:.0f}% of 20 episodes")
                curves[name].append(client.learning_curve(job.job_id).discounted_return)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, runs in curves.items():
        mean, low, high = band([smooth(r, args.smooth) for r in runs])
        x = np.arange(1, len(mean) + 1)
        ax.plot(x, mean, label=f"{name} (n={len(runs)})")
        ax.fill_between(x, low, high, alpha=0.25)
    ax.axhline(-21.86, color="gray", linestyle="--", linewidth=1, label="V*(start) = -21.86")
    ax.set_xlabel("episode")
    ax.set_ylabel("discounted return (gamma 0.99)")
    ax.set_title("Discrete SAC on FourRooms-v0 (mean, 95% CI across seeds)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

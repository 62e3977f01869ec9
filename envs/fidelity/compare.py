"""Compare the port's LunarLander episodes with Gymnasium's: distributions (KS) and paired replays.

    python envs/fidelity/compare.py --reference random-0-6000.txt [more.txt ...] \
        --port port-random.csv [--replay replay.csv ...]

--reference: files written by record_reference.py (Gymnasium 1.3, its own seeds and draws);
--port: `LunarLanderFidelityReplay sample` output (the port with its own generator and seeds);
--replay: `LunarLanderFidelityReplay replay` output (the port fed Gymnasium's draws and actions).
Prints two-sample KS tests and Welch's t-test of returns and lengths, quantiles, time-outs, and for the
replays how many episodes ended differently and the paired return difference.
"""
import argparse
import csv

import numpy as np
from scipy import stats


def reference_episodes(paths):
    returns, lengths, truncated = [], [], 0
    for path in paths:
        with open(path) as f:
            last = None
            for line in f:
                if line.startswith("seed "):
                    if last is not None:
                        truncated += last
                    h = line.split()
                    lengths.append(int(h[7]))
                    returns.append(float(h[9]))
                elif line.startswith("s "):
                    last = int(line.split()[4])
            if last is not None:
                truncated += last
    return np.array(returns), np.array(lengths), truncated


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", nargs="+", required=True)
    p.add_argument("--port", required=True)
    p.add_argument("--replay", nargs="*", default=[])
    args = p.parse_args()

    gr, gl, gt = reference_episodes(args.reference)
    rows = list(csv.DictReader(open(args.port)))
    pr = np.array([float(r["return"]) for r in rows])
    pl = np.array([int(r["length"]) for r in rows])
    pt = sum(r["truncated"] == "true" for r in rows)
    print(f"Gymnasium: {len(gr)} episodes, mean return {gr.mean():.2f} (sd {gr.std(ddof=1):.1f}), "
          f"mean length {gl.mean():.1f}, {gt} reach the 1,000-step limit")
    print(f"port:      {len(pr)} episodes, mean return {pr.mean():.2f} (sd {pr.std(ddof=1):.1f}), "
          f"mean length {pl.mean():.1f}, {pt} reach the 1,000-step limit")
    ks_r = stats.ks_2samp(gr, pr)
    ks_l = stats.ks_2samp(gl, pl)
    welch = stats.ttest_ind(pr, gr, equal_var=False)
    print(f"KS returns: D = {ks_r.statistic:.4f}, p = {ks_r.pvalue:.3f}; KS lengths: D = {ks_l.statistic:.4f}, "
          f"p = {ks_l.pvalue:.3f}; Welch t (port - Gymnasium) = {welch.statistic:.2f}, p = {welch.pvalue:.3f}")
    q = [5, 25, 50, 75, 95]
    print("return quantiles", q, "Gymnasium", np.percentile(gr, q).round(1), "port", np.percentile(pr, q).round(1))

    for path in args.replay:
        rep = list(csv.DictReader(open(path)))
        d = np.array([float(r["port_return"]) - float(r["ref_return"]) for r in rep])
        ended = [r for r in rep if r["ref_len"] != r["port_len"] or r["port_ran_longer"] == "true"
                 or (r["ref_truncated"] != "true" and r["ref_final_reward"] != r["port_final_reward"])]
        diverged = sum(int(r["first_diverged_step"]) >= 0 for r in rep)
        print(f"replay {path}: {len(rep)} episodes with Gymnasium's draws and actions; {diverged} differ somewhere "
              f"by > 1e-3 (obs) / 1e-2 (reward); {len(ended)} end on a different step or differently "
              f"(seeds {' '.join(r['seed'] for r in ended)}); paired return difference mean {d.mean():.3f} "
              f"(sd {d.std(ddof=1):.2f}, t = {d.mean() / (d.std(ddof=1) / np.sqrt(len(d))):.2f})")


if __name__ == "__main__":
    main()

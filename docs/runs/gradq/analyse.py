"""Per-phase means and the figure of docs/gradient-quality.md from the *.gradq.csv files of bench.Experiment.

Run from the repository root: python docs/runs/gradq/analyse.py  (needs matplotlib for the figure).
"""
import csv
import math
import statistics as st
import sys
from pathlib import Path

D = Path(__file__).parent
RUNS = [("SAC FourRooms", "sac_fr_plain_s1", "sac_fr_grokfast_s1"),
        ("PPO LunarLander", "ppo_ll_plain_s1", "ppo_ll_grokfast_s1")]
PHASES = [(1, 100), (101, 200), (201, 300)]
STATS = ["pairwise_cos", "true_cos", "rel_var", "raw_step_true_cos", "step_true_cos"]


def load(name):
    with open(D / f"{name}.gradq.csv") as f:
        return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]


def returns(name):
    with open(D / f"{name}.csv") as f:
        return [(int(r["episode"]), float(r["return"])) for r in csv.DictReader(f) if r["kind"] == "episode"]


def phase_rows(rows, lo, hi):
    # "episode" = training episodes finished before the measured update
    return [r for r in rows if lo - 1 <= r["episode"] < hi]


def fmt(x):
    return f"{x:.3f}" if abs(x) < 100 else f"{x:.0f}"


def table():
    print("| run | net | phase (episodes) | n | pairwise cos | true cos | rel var (median) | raw step vs G | applied step vs G | applied - raw (paired) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for title, plain, gf in RUNS:
        for variant, name in (("plain", plain), ("Grokfast", gf)):
            rows = load(name)
            last_ep = len(returns(name))
            for net in ("critic", "actor"):
                for lo, hi in PHASES:
                    ph = phase_rows(rows, lo, hi)
                    hi = min(hi, last_ep)
                    if not ph:
                        continue
                    m = {s: st.mean(r[f"gradq/{net}_{s}"] for r in ph) for s in STATS}
                    med_rv = st.median(r[f"gradq/{net}_rel_var"] for r in ph)
                    diff = [r[f"gradq/{net}_step_true_cos"] - r[f"gradq/{net}_raw_step_true_cos"] for r in ph]
                    print(f"| {title} {variant} | {net} | {lo}-{hi} | {len(ph)} | {fmt(m['pairwise_cos'])} | "
                          f"{fmt(m['true_cos'])} | {fmt(m['rel_var'])} ({fmt(med_rv)}) | {fmt(m['raw_step_true_cos'])} | "
                          f"{fmt(m['step_true_cos'])} | {fmt(st.mean(diff))} |")
    print()
    print("| run | net | measurements | mean(applied - raw) +- s.e. | fraction of steps where the filtered step is closer to G |")
    print("|---|---|---|---|---|")
    for title, plain, gf in RUNS:
        rows = load(gf)
        for net in ("critic", "actor"):
            d = [r[f"gradq/{net}_step_true_cos"] - r[f"gradq/{net}_raw_step_true_cos"] for r in rows]
            se = st.stdev(d) / math.sqrt(len(d))
            print(f"| {title} Grokfast | {net} | {len(d)} | {st.mean(d):+.3f} +- {se:.3f} | "
                  f"{sum(1 for x in d if x > 0) / len(d):.2f} |")
    print()
    print("| run | episodes | env steps | mean return, episodes 201-end |")
    print("|---|---|---|---|")
    for title, plain, gf in RUNS:
        for variant, name in (("plain", plain), ("Grokfast", gf)):
            r = returns(name)
            last = [x for e, x in r if e > 200]
            with open(D / f"{name}.csv") as f:
                steps = max(int(x["env_steps"]) for x in csv.DictReader(f) if x["kind"] == "episode")
            print(f"| {title} {variant} | {len(r)} | {steps} | {st.mean(last):.1f} |")


def smooth(x, k):
    out = []
    for i in range(len(x)):
        w = x[max(0, i - k + 1): i + 1]
        out.append(sum(w) / len(w))
    return out


def figure(path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(2, 4, figsize=(17, 7.5))
    for row, (title, plain, gf) in enumerate(RUNS):
        k = 5 if "PPO" in title else 10
        for variant, name, color in (("plain", plain, "tab:blue"), ("Grokfast", gf, "tab:red")):
            rows = load(name)
            ep = [r["episode"] for r in rows]
            for net, ls in (("critic", "-"), ("actor", "--")):
                ax[row][0].plot(ep, smooth([r[f"gradq/{net}_pairwise_cos"] for r in rows], k), ls, color=color,
                                label=f"{variant} {net}")
                ax[row][1].plot(ep, smooth([r[f"gradq/{net}_rel_var"] for r in rows], k), ls, color=color,
                                label=f"{variant} {net}")
        rows = load(gf)
        ep = [r["episode"] for r in rows]
        for col, net in ((2, "critic"), (3, "actor")):
            ax[row][col].plot(ep, smooth([r[f"gradq/{net}_raw_step_true_cos"] for r in rows], k), color="tab:gray",
                              label="raw minibatch gradient")
            ax[row][col].plot(ep, smooth([r[f"gradq/{net}_step_true_cos"] for r in rows], k), color="tab:red",
                              label="applied (Grokfast-filtered) step")
            rp = load(plain)
            ax[row][col].plot([r["episode"] for r in rp], smooth([r[f"gradq/{net}_step_true_cos"] for r in rp], k),
                              color="tab:blue", alpha=0.6, label="plain run: applied = raw step")
            ax[row][col].set_title(f"{title}: {net} step vs large batch (cos)")
            ax[row][col].axhline(0, color="k", lw=0.5)
            ax[row][col].legend(fontsize=7)
        ax[row][0].set_title(f"{title}: pairwise cos of minibatch grads")
        ax[row][1].set_title(f"{title}: relative variance tr(S)/|G|^2")
        ax[row][1].set_yscale("log")
        ax[row][0].legend(fontsize=7)
        ax[row][1].legend(fontsize=7)
        for c in range(4):
            ax[row][c].set_xlabel("training episode")
    fig.suptitle(f"Gradient quality, seed 1 (moving average over 10 (SAC) / 5 (PPO) measurements)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    print("wrote", path)


if __name__ == "__main__":
    table()
    if len(sys.argv) > 1:
        figure(sys.argv[1])

#!/usr/bin/env python3
"""Tables with 95% confidence intervals and banded plots for the paper's experiments, from benchmark jobs.

The runs themselves are made with the project's benchmark command on the agent service, e.g.

    ./gymrpc bench agents --server HOST:PORT --env FourRooms-v0 \\
        --variants sac,sac+grokfast,sac+grade,sac+grokfast+grade --seeds 5 --episodes 1000 --score mean

which stores every run's metrics under <store>/jobs/<job>/runs/<variant>/seed-<n>/metrics.csv. This script
reads those files (no server needed) and prints, per experiment, the figures docs/experiments.md compares
with the paper: per variant the mean over seeds with its 95% Student-t interval, and per augmentation the
difference to the plain algorithm with its 95% Welch interval. It writes one figure per experiment with the
mean curve and its 95% band across seeds, as the paper's figures show them.

    python bench/paper_experiments.py --store STORE --experiment fourrooms --job JOB [--job JOB ...] \\
        [--figure docs/experiments-fourrooms.png]

A job's variants can be renamed, so that an ablation made with `--set` (same variant name, other config)
stands beside the runs it is compared with: `--job job-3d1acc0c:sac=sac-te0.3`.

Experiments: fourrooms (SAC, x = episode), ppo-lunarlander (PPO, x = episode), sac-lunarlander (SAC, x = env
steps). Needs numpy, scipy and matplotlib.
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import stats


# ---------------------------------------------------------------------------------------------- loading
class Run:
    """One run's metrics: episode series (index = episode) and update series (x = env step)."""

    def __init__(self, path: Path):
        self.episode = defaultdict(list)  # name -> [(episode, step, value)]
        self.update = defaultdict(list)  # name -> [(step, value)]
        with path.open() as f:
            for row in csv.DictReader(f):
                name, step, value = row["name"], int(row["global_step"]), float(row["value"])
                ep = row.get("episode", "")
                if name.startswith("charts/episodic") or name == "charts/discounted_return":
                    self.episode[name].append((int(ep) if ep else len(self.episode[name]), step, value))
                else:
                    self.update[name].append((step, value))

    def ep_values(self, name: str) -> np.ndarray:
        return np.array([v for _, _, v in self.episode[name]], dtype=float)

    def ep_steps(self, name: str) -> np.ndarray:
        return np.array([s for _, s, _ in self.episode[name]], dtype=float)

    def up(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        pts = self.update.get(name, [])
        return np.array([s for s, _ in pts], dtype=float), np.array([v for _, v in pts], dtype=float)


def parse_job(spec: str) -> tuple[str, dict[str, str]]:
    """'JOB' or 'JOB:old=new[,old=new...]' -> (job id, variant renames)."""
    job, _, renames = spec.partition(":")
    out = {}
    for pair in filter(None, renames.split(",")):
        old, eq, new = pair.partition("=")
        if not eq or not old or not new:
            sys.exit(f"bad --job {spec!r}: expected JOB or JOB:variant=new-name[,variant=new-name]")
        out[old] = new
    return job, out


def load(store: Path, jobs: list[str]) -> dict[str, dict[int, Run]]:
    """variant -> seed -> Run, over every given benchmark job (later jobs add variants or seeds; a job's
    variants may be renamed, see parse_job)."""
    out: dict[str, dict[int, Run]] = defaultdict(dict)
    for spec in jobs:
        job, renames = parse_job(spec)
        runs = store / "jobs" / job / "runs"
        if not runs.is_dir():
            sys.exit(f"no runs under {runs}: is {job} a benchmark job of this store?")
        for vdir in sorted(runs.iterdir()):
            for sdir in sorted(vdir.glob("seed-*")):
                m = sdir / "metrics.csv"
                if m.exists():
                    out[renames.get(vdir.name, vdir.name)][int(sdir.name[5:])] = Run(m)
    return out


def variants_of(data, first: list[str]) -> list[str]:
    """The experiment's own variants in the paper's order, then any other variant the jobs hold."""
    return [v for v in first if v in data] + sorted(v for v in data if v not in first)


# ------------------------------------------------------------------------------------------- statistics
def ci(xs) -> tuple[float, float, int]:
    """Mean and half-width of the 95% Student-t interval over finite values."""
    xs = np.asarray([x for x in xs if x is not None and np.isfinite(x)], dtype=float)
    n = len(xs)
    if n == 0:
        return math.nan, math.nan, 0
    if n == 1:
        return float(xs[0]), math.nan, 1
    return float(xs.mean()), float(stats.t.ppf(0.975, n - 1) * xs.std(ddof=1) / math.sqrt(n)), n


def welch(a, b) -> tuple[float, float, float]:
    """Difference of means a - b, its 95% Welch half-width and the two-sided p-value."""
    a = np.asarray([x for x in a if np.isfinite(x)], dtype=float)
    b = np.asarray([x for x in b if np.isfinite(x)], dtype=float)
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return float(a.mean() - b.mean()), 0.0, math.nan
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    d = float(a.mean() - b.mean())
    return d, float(stats.t.ppf(0.975, df) * se), float(2 * stats.t.sf(abs(d) / se, df))


def fmt(m, h, digits=1) -> str:
    if not np.isfinite(m):
        return "-"
    return f"{m:.{digits}f} +- {h:.{digits}f}" if np.isfinite(h) else f"{m:.{digits}f}"


def window_mean(v: np.ndarray, lo: int, hi: int) -> float:
    """Mean of v[lo:hi] (0-based episode indices), NaN if the run is shorter."""
    return float(v[lo:hi].mean()) if len(v) >= hi else math.nan


def first_reaching(v: np.ndarray, level: float, window: int) -> float:
    """1-based episode at which the trailing `window`-episode mean first reaches `level` (NaN: never)."""
    if len(v) < window:
        return math.nan
    c = np.convolve(v, np.ones(window) / window, mode="valid")
    hit = np.nonzero(c >= level)[0]
    return float(hit[0] + window) if len(hit) else math.nan


def up_mean(run: Run, name: str, lo_step=0.0, hi_step=math.inf) -> float:
    s, v = run.up(name)
    sel = (s >= lo_step) & (s < hi_step) & np.isfinite(v)
    return float(v[sel].mean()) if sel.any() else math.nan


def final_eval(run: Run) -> float:
    """The run's final greedy evaluation (mean return over its final-evaluation episodes)."""
    return up_mean(run, "eval_final/mean_reward")


def frac_truncated(run: Run, lo: float, hi: float, limit: int = 1000) -> float:
    """Fraction of the episodes ending in env steps [lo, hi) that ran into the time limit."""
    ln, s = run.ep_values("charts/episodic_length"), run.ep_steps("charts/episodic_length")
    sel = (s >= lo) & (s < hi)
    return float((ln[sel] >= limit).mean()) if sel.any() else math.nan


def survival_bonus(run: Run, lo: float, hi: float, gamma: float = 0.99) -> float:
    """alpha * H / (1 - gamma) averaged over the updates in env steps [lo, hi): the soft value an agent
    earns from the entropy term alone by staying alive forever at its current temperature and entropy."""
    s, a = run.up("losses/alpha")
    s2, h = run.up("losses/entropy")
    n = min(len(a), len(h))
    s, a, h = s[:n], a[:n], h[:n]
    sel = (s >= lo) & (s < hi)
    return float((a[sel] * h[sel]).mean() / (1 - gamma)) if sel.any() else math.nan


def last_updates_mean(run: Run, name: str, n: int = 100) -> float:
    """Mean of an update metric over the run's last `n` updates (NaN if it was never logged)."""
    v = run.up(name)[1]
    return float(np.mean(v[-n:])) if len(v) else math.nan


def grad_norm(net: str, applied: bool, digits: int):
    """Table column: the mean over the run of a network's gradient norm, raw or as applied (after Grokfast)."""
    metric = f"grad/{net}_norm" + ("_filtered" if applied else "")
    label = f"{net} grad norm " + ("filtered (applied)" if applied else "raw")
    return label, lambda r: up_mean(r, metric), digits


def peak_step(run: Run, name: str, smooth: int) -> float:
    """Env step at which the `smooth`-point moving mean of an update metric is largest."""
    s, v = run.up(name)
    if len(v) < smooth:
        return math.nan
    return float(s[smooth - 1:][np.argmax(np.convolve(v, np.ones(smooth) / smooth, mode="valid"))])


def at_steps(run: Run, name: str, lo: float, hi: float) -> float:
    """Mean of an episode metric over the episodes that ended in env steps [lo, hi)."""
    v, s = run.ep_values(name), run.ep_steps(name)
    sel = (s >= lo) & (s < hi)
    return float(v[sel].mean()) if sel.any() else math.nan


# --------------------------------------------------------------------------------------------- tables
def complete(data, done):
    """Only the runs that reached their budget (`done(run)`); says which were left out (runs in progress or
    interrupted)."""
    out = {}
    for v, runs in data.items():
        out[v] = {s: r for s, r in runs.items() if done(r)}
        partial = sorted(set(runs) - set(out[v]))
        if partial:
            print(f"left out (not finished): {v} seeds {partial}")
    return out


#: Every per-run value behind the printed tables: (table, variant, seed, column, value); --export writes it.
RECORDS: list[tuple[str, str, int, str, float]] = []


def table(title, variants, data, columns, base):
    """Prints a markdown table: per variant each column's mean +- 95% CI (n seeds), then the differences
    of each augmented variant to `base` with Welch's 95% interval and p."""
    for v in variants:
        for seed, r in sorted(data.get(v, {}).items()):
            RECORDS.extend((title, v, seed, c[0], c[1](r)) for c in columns)
    print(f"\n### {title}\n")
    print("| variant | seeds | " + " | ".join(c[0] for c in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    per = {}
    for v in variants:
        runs = data.get(v, {})
        vals = [[c[1](r) for r in runs.values()] for c in columns]
        per[v] = vals
        cells = [fmt(*ci(x)[:2], digits=c[2]) for x, c in zip(vals, columns)]
        print(f"| {v} | {len(runs)} | " + " | ".join(cells) + " |")
    print("\nDifference to " + base + " (mean, 95% Welch interval, p):\n")
    print("| variant | " + " | ".join(c[0] for c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for v in variants:
        if v == base or v not in per or base not in per:
            continue
        cells = []
        for i, c in enumerate(columns):
            d, h, p = welch(per[v][i], per[base][i])
            cells.append("-" if not np.isfinite(d) else f"{d:+.{c[2]}f} +- {h:.{c[2]}f} (p {p:.2f})")
        print(f"| {v} | " + " | ".join(cells) + " |")
    return per


# --------------------------------------------------------------------------------------------- figures
def band(ax, xs_list, ys_list, label, color, smooth=1, grid=None):
    """Mean across runs and its 95% t band; runs are put on a common x grid by interpolation."""
    curves = []
    for x, y in zip(xs_list, ys_list):
        if len(y) == 0:
            continue
        if smooth > 1 and len(y) >= smooth:
            y = np.convolve(y, np.ones(smooth) / smooth, mode="valid")
            x = x[smooth - 1:]
        curves.append((np.asarray(x, float), np.asarray(y, float)))
    if not curves:
        return
    hi = min(c[0][-1] for c in curves)
    lo = max(c[0][0] for c in curves)
    g = grid if grid is not None else np.linspace(lo, hi, 200)
    g = g[(g >= lo) & (g <= hi)]
    ys = np.array([np.interp(g, x, y) for x, y in curves])
    m = ys.mean(0)
    ax.plot(g, m, label=f"{label} (n={len(curves)})", color=color, lw=1.4)
    if len(curves) > 1:
        h = stats.t.ppf(0.975, len(curves) - 1) * ys.std(0, ddof=1) / math.sqrt(len(curves))
        ax.fill_between(g, m - h, m + h, color=color, alpha=0.2, lw=0)


COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]


def figure(path, variants, data, panels, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2))
    for ax, (ptitle, getter, smooth, logy) in zip(np.atleast_1d(axes), panels):
        for v, col in zip(variants, COLORS):
            runs = data.get(v, {})
            xy = [getter(r) for r in runs.values()]
            band(ax, [p[0] for p in xy], [p[1] for p in xy], v, col, smooth)
        ax.set_title(ptitle, fontsize=10)
        if logy:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].legend(fontsize=8)
    fig.suptitle(title + " (mean and 95% band across seeds)", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"\nfigure: {path}")


def indexed(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A series against its 1-based index."""
    return np.arange(1, len(v) + 1), v


def ep_curve(name):
    return lambda r: indexed(r.ep_values(name))


def ep_curve_steps(name):
    return lambda r: (r.ep_steps(name), r.ep_values(name))


def up_curve(name):
    return lambda r: r.up(name)


def up_curve_index(name):
    """An update metric against the update's index (PPO paper preset: update k follows episode k)."""
    return lambda r: indexed(r.up(name)[1])


# ---------------------------------------------------------------------------------------- experiments
def fourrooms(data, fig):
    vs = variants_of(data, ["sac", "sac+grokfast", "sac+grade", "sac+grokfast+grade"])
    ret = "charts/discounted_return"
    data = complete(data, lambda r: len(r.ep_values(ret)) >= 1000)
    cols = [
        ("discounted return, episodes 150-250", lambda r: window_mean(r.ep_values(ret), 149, 250), 2),
        ("discounted return, episodes 901-1000", lambda r: window_mean(r.ep_values(ret), 900, 1000), 2),
        ("mean over all 1000 episodes", lambda r: window_mean(r.ep_values(ret), 0, 1000), 2),
        ("final greedy evaluation (undiscounted)", final_eval, 2),
        ("critic loss, env steps 0-25k", lambda r: up_mean(r, "losses/qf1_loss", 0, 25_000), 3),
        ("critic loss, env steps 40k-50k", lambda r: up_mean(r, "losses/qf1_loss", 40_000, 50_000), 3),
        ("env step of the critic-loss peak (21-point mean)", lambda r: peak_step(r, "losses/qf1_loss", 21), 0),
        grad_norm("actor", False, 3),
        grad_norm("critic", False, 2),
        grad_norm("critic", True, 2),
        grad_norm("actor", True, 3),
    ]
    table("SAC, FourRooms-v0, paper preset, 1000 episodes", vs, data, cols, "sac")
    if fig:
        figure(fig, vs, data, [
            ("discounted return (20-episode mean)", ep_curve(ret), 20, False),
            ("critic loss (qf1)", up_curve("losses/qf1_loss"), 5, True),
            ("critic grad norm, raw", up_curve("grad/critic_norm"), 5, True),
            ("critic grad norm, applied (filtered)", up_curve("grad/critic_norm_filtered"), 5, True),
        ], "SAC on FourRooms-v0, paper preset")
    return data


def ppo_lunarlander(data, fig):
    vs = variants_of(data, ["ppo", "ppo+grokfast", "ppo+grade", "ppo+grokfast+grade"])
    ret = "charts/episodic_return"
    data = complete(data, lambda r: len(r.ep_values(ret)) >= 1500)
    cols = [
        ("return, episodes 301-500", lambda r: window_mean(r.ep_values(ret), 300, 500), 1),
        ("return, last 100 episodes", lambda r: window_mean(r.ep_values(ret), 1400, 1500), 1),
        ("final greedy evaluation", final_eval, 1),
        ("std of return, last 300 episodes", lambda r: float(np.std(r.ep_values(ret)[1200:1500]))
         if len(r.ep_values(ret)) >= 1500 else math.nan, 1),
        ("seeds whose 50-episode mean reaches 200 (fraction)",
         lambda r: float(np.isfinite(first_reaching(r.ep_values(ret), 200, 50))), 2),
        ("first episode it does (seeds that reach it)", lambda r: first_reaching(r.ep_values(ret), 200, 50), 0),
        ("entropy, last 100 updates", lambda r: last_updates_mean(r, "losses/entropy"), 3),
        ("entropy coefficient (GrAdE: kappa r), last 100 updates", lambda r: last_updates_mean(r, "losses/ent_coef"), 4),
        grad_norm("actor", False, 3),
        grad_norm("actor", True, 3),
        grad_norm("critic", False, 2),
        grad_norm("critic", True, 2),
    ]
    table("PPO, LunarLander-v3, paper preset, 1500 episodes", vs, data, cols, "ppo")
    if fig:
        figure(fig, vs, data, [
            ("episodic return (50-episode mean)", ep_curve(ret), 50, False),
            ("policy entropy vs update (= episode)", up_curve_index("losses/entropy"), 50, False),
            ("actor grad norm, applied (filtered), vs update", up_curve_index("grad/actor_norm_filtered"), 50, True),
            ("critic grad norm, applied (filtered), vs update", up_curve_index("grad/critic_norm_filtered"), 50, True),
        ], "PPO on LunarLander-v3, paper preset")
    return data


def sac_lunarlander(data, fig):
    vs = variants_of(data, ["sac", "sac+grokfast"])
    ret = "charts/episodic_return"
    data = complete(data, lambda r: len(r.ep_steps(ret)) > 0 and r.ep_steps(ret)[-1] >= 349_000)
    cols = [
        ("return, episodes ending in 100k-150k steps", lambda r: at_steps(r, ret, 100_000, 150_000), 1),
        ("return, episodes ending in 300k-350k steps", lambda r: at_steps(r, ret, 300_000, 350_001), 1),
        ("final greedy evaluation", final_eval, 1),
        ("critic grad norm raw, 0-100k", lambda r: up_mean(r, "grad/critic_norm", 0, 100_000), 2),
        ("critic grad norm raw, 100k-350k", lambda r: up_mean(r, "grad/critic_norm", 100_000), 2),
        ("critic grad norm filtered, 100k-350k", lambda r: up_mean(r, "grad/critic_norm_filtered", 100_000), 2),
    ]
    table("SAC, LunarLander-v3, paper preset, 350k steps", vs, data, cols, "sac")
    # Why plain SAC hovers: the temperature and what it pays for staying alive.
    table("SAC, LunarLander-v3: temperature, entropy bonus and hovering", vs, data, [
        ("alpha, 50k-150k steps", lambda r: up_mean(r, "losses/alpha", 50_000, 150_000), 3),
        ("alpha, last 50k steps", lambda r: up_mean(r, "losses/alpha", 300_000), 3),
        ("alpha H / (1 - gamma), 50k-150k", lambda r: survival_bonus(r, 50_000, 150_000), 1),
        ("mean Q(s, a), 50k-150k", lambda r: up_mean(r, "losses/qf1_values", 50_000, 150_000), 1),
        ("episodes at the 1000-step limit, 0-150k", lambda r: frac_truncated(r, 0, 150_000), 2),
        ("episodes at the 1000-step limit, 150k-350k", lambda r: frac_truncated(r, 150_000, 350_001), 2),
        ("episode length, 300k-350k", lambda r: at_steps(r, "charts/episodic_length", 300_000, 350_001), 0),
    ], "sac")
    if fig:
        figure(fig, vs, data, [
            ("episodic return (20-episode mean) vs env steps", ep_curve_steps(ret), 20, False),
            ("episode length (20-episode mean)", ep_curve_steps("charts/episodic_length"), 20, False),
            ("alpha", up_curve("losses/alpha"), 1, True),
            ("critic grad norm, raw", up_curve("grad/critic_norm"), 5, True),
            ("critic grad norm, applied (filtered)", up_curve("grad/critic_norm_filtered"), 5, True),
        ], "SAC on LunarLander-v3, paper preset")
    return data


EXPERIMENTS = {"fourrooms": fourrooms, "ppo-lunarlander": ppo_lunarlander, "sac-lunarlander": sac_lunarlander}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="the server's store directory")
    ap.add_argument("--job", action="append", required=True,
                    help="benchmark job id (repeatable); JOB:variant=new-name renames that job's variant")
    ap.add_argument("--experiment", choices=sorted(EXPERIMENTS), required=True)
    ap.add_argument("--figure", type=Path, help="PNG to write (default: none)")
    ap.add_argument("--export", type=Path, help="directory to write, per finished run, its episodes "
                    "(<variant>/seed-<n>.csv: episode, env step, return, length, discounted return) and "
                    "summary.csv (every per-run value behind the tables), small enough to keep with the docs")
    a = ap.parse_args(argv)
    data = load(a.store, a.job)
    print(f"variants and seeds: " + ", ".join(f"{v} {sorted(s)}" for v, s in data.items()))
    RECORDS.clear()
    finished = EXPERIMENTS[a.experiment](data, a.figure)
    if a.export:
        export(a.export, finished)


def export(out: Path, data) -> None:
    """Writes the finished runs' episodes and every per-run table value (see --export)."""
    names = ("charts/episodic_return", "charts/episodic_length", "charts/discounted_return")
    for v, runs in data.items():
        for seed, r in sorted(runs.items()):
            d = out / v
            d.mkdir(parents=True, exist_ok=True)
            series = [r.episode.get(n, []) for n in names]
            with (d / f"seed-{seed}.csv").open("w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["episode", "global_step", "return", "length", "discounted_return"])
                for i, (ep, step, ret) in enumerate(series[0]):
                    length = f"{series[1][i][2]:.0f}" if i < len(series[1]) else ""
                    disc = f"{series[2][i][2]:.4f}" if i < len(series[2]) else ""
                    w.writerow([ep, step, f"{ret:.4f}", length, disc])
    out.mkdir(parents=True, exist_ok=True)
    with (out / "summary.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["table", "variant", "seed", "column", "value"])
        for t, v, seed, col, val in RECORDS:
            w.writerow([t, v, seed, col, f"{val:.6g}"])
    print(f"exported {sum(len(r) for r in data.values())} runs and {len(RECORDS)} values to {out}")


if __name__ == "__main__":
    main()

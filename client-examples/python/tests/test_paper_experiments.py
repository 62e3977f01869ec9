"""bench/paper_experiments.py: the tables of docs/experiments.md, checked on a synthetic store whose
figures are known in closed form (means, Student-t and Welch intervals, finished-run filter, renames)."""
from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
stats = pytest.importorskip("scipy.stats")

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "paper_experiments.py"


@pytest.fixture(scope="module")
def pe():
    spec = importlib.util.spec_from_file_location("paper_experiments", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_run(path: Path, ret: float, length: int = 500, steps: int = 350_000, alpha: float = 0.5,
              entropy: float = 0.8, final: float | None = None):
    """A SAC LunarLander run: episodes of `length` steps with return `ret`, one update row per 1000 steps."""
    path.mkdir(parents=True)
    with (path / "metrics.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["global_step", "episode", "name", "value", "unix_ms"])
        for ep, step in enumerate(range(length, steps + 1, length)):
            w.writerow([step, ep, "charts/episodic_return", ret, 0])
            w.writerow([step, ep, "charts/episodic_length", length, 0])
        for step in range(1000, steps + 1, 1000):
            w.writerow([step, "", "losses/alpha", alpha, 0])
            w.writerow([step, "", "losses/entropy", entropy, 0])
            w.writerow([step, "", "grad/critic_norm", 2.0, 0])
        if final is not None:
            w.writerow([steps, "", "eval_final/mean_reward", final, 0])


def rows(out: str, title: str) -> dict[str, list[str]]:
    """The first markdown table after `title`: variant -> cells."""
    lines = out[out.index(title):].splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("| variant"))
    table = {}
    for l in lines[start + 2:]:
        if not l.startswith("|"):
            break
        cells = [c.strip() for c in l.strip("|").split("|")]
        table[cells[0]] = cells[1:]
    return table


def test_sac_lunarlander_tables(tmp_path, capsys, pe):
    store = tmp_path / "store"
    a = store / "jobs" / "job-a" / "runs"
    for seed, ret in enumerate([100.0, 110.0, 120.0]):
        write_run(a / "sac" / f"seed-{seed}", ret, final=ret + 1)
        write_run(a / "sac+grokfast" / f"seed-{seed}", ret + 30, alpha=0.25)
    write_run(a / "sac+grokfast" / "seed-3", 500.0, steps=100_000)  # unfinished: left out
    b = store / "jobs" / "job-b" / "runs"
    for seed, ret in enumerate([200.0, 200.0]):
        write_run(b / "sac" / f"seed-{seed}", ret, length=1000)

    pe.main(["--store", str(store), "--experiment", "sac-lunarlander",
             "--job", "job-a", "--job", "job-b:sac=sac-te0.3", "--export", str(tmp_path / "export")])
    out = capsys.readouterr().out

    assert "left out (not finished): sac+grokfast seeds [3]" in out
    t = rows(out, "### SAC, LunarLander-v3, paper preset, 350k steps")
    assert list(t) == ["sac", "sac+grokfast", "sac-te0.3"]
    half = stats.t.ppf(0.975, 2) * 10.0 / math.sqrt(3)  # sd 10 over 3 seeds
    assert t["sac"][0] == "3"
    assert t["sac"][1] == f"110.0 +- {half:.1f}"
    assert t["sac"][3] == f"111.0 +- {half:.1f}"  # final greedy evaluation
    assert t["sac+grokfast"][1] == f"140.0 +- {half:.1f}"
    assert t["sac-te0.3"][1] == "200.0 +- 0.0"

    d = rows(out, "Difference to sac")
    se = math.sqrt(2 * 100.0 / 3)
    df = (2 * 100.0 / 3) ** 2 / (2 * (100.0 / 3) ** 2 / 2)
    p = 2 * stats.t.sf(30 / se, df)
    assert d["sac+grokfast"][0] == f"+30.0 +- {stats.t.ppf(0.975, df) * se:.1f} (p {p:.2f})"

    h = rows(out, "### SAC, LunarLander-v3: temperature, entropy bonus and hovering")
    assert h["sac"][1] == "0.500 +- 0.000"
    assert h["sac"][3] == "40.0 +- 0.0"  # alpha H / (1 - gamma) = 0.5 * 0.8 / 0.01
    assert h["sac"][5] == "0.00 +- 0.00" and h["sac-te0.3"][5] == "1.00 +- 0.00"  # at the time limit


def test_bad_job_spec_says_what_is_expected(tmp_path, pe):
    with pytest.raises(SystemExit, match="expected JOB or JOB:variant=new-name"):
        pe.main(["--store", str(tmp_path), "--experiment", "fourrooms", "--job", "job-a:sac"])


def test_export_keeps_finished_runs_episodes_and_every_table_value(tmp_path, capsys, pe):
    store = tmp_path / "store"
    runs = store / "jobs" / "job-a" / "runs"
    write_run(runs / "sac" / "seed-0", 100.0)
    write_run(runs / "sac" / "seed-1", 120.0)
    write_run(runs / "sac" / "seed-2", 500.0, steps=10_000)  # unfinished: not exported
    out = tmp_path / "export"
    pe.main(["--store", str(store), "--experiment", "sac-lunarlander", "--job", "job-a", "--export", str(out)])
    assert sorted(p.name for p in (out / "sac").iterdir()) == ["seed-0.csv", "seed-1.csv"]
    with (out / "sac" / "seed-1.csv").open() as f:
        episodes = list(csv.DictReader(f))
    assert len(episodes) == 700 and episodes[0]["return"] == "120.0000" and episodes[0]["length"] == "500"
    assert episodes[-1]["global_step"] == "350000"
    with (out / "summary.csv").open() as f:
        summary = list(csv.DictReader(f))
    final = [r for r in summary if r["column"] == "return, episodes ending in 300k-350k steps"]
    assert [(r["seed"], r["value"]) for r in final] == [("0", "100"), ("1", "120")]

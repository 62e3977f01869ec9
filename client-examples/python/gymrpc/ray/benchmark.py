"""A benchmark (variants x seeds) whose cells are Ray tasks on a pool of gymrpc servers.

    import ray, gymrpc.ray as gr
    ray.init(address="auto")
    with gr.start_servers("server/target/gymrpc-server.jar") as pool:
        variants = {"sac": gr.training_spec("sac", "FourRooms-v0", preset="fourrooms-fast", steps=20_000),
                    "sac+grokfast": gr.training_spec("sac", "FourRooms-v0", preset="fourrooms-fast",
                                                     steps=20_000, config={"augmentations.grokfast": True})}
        result = gr.run_benchmark(pool, variants, seeds=[1, 2, 3], out_dir="runs/bench")
    print(result.format())          # the RunBenchmark table: n, mean, std, 95% CI per variant
    result.cells["sac", 1].curve    # each cell's learning curve; .model the downloaded model bytes

Each cell trains one (variant, seed) as an ordinary training job on one server (StartTraining), run by a
Ray task placed on that server's node, which waits for the job, then fetches its learning curve, final
evaluation and model back. The driver hands cells to servers (``cells_per_server`` at a time each) and
takes each finished cell's result into its own memory at once (and into ``out_dir`` when given), so a
finished cell is never lost. A cell whose task fails because its node or server is gone (node died, actor
killed, server unreachable for ``unavailable_grace`` seconds, job INTERRUPTED by a restart) is run again from
the start on another live server, up to ``max_attempts`` times; a job that FAILED on its own (divergence,
bad config) is not retried, it is reported in ``failures``.

Scores and the table are computed exactly as the server's RunBenchmark does (BenchmarkJob / Stats.java):
the score per run is the final evaluation's mean return (``score="final"``), the mean of the last
``last_episodes`` training returns (``"last"``) or of all training returns (``"mean"``); per variant the
mean, sample standard deviation and the two-sided 95% confidence interval of the mean,
``mean +- t(0.975, n-1) * sd / sqrt(n)`` (Student's t).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from gymrpc._codec import to_value_map
from gymrpc.agents import AgentClient, EvaluationResult, LearningCurve, agent_pb2
from gymrpc.errors import ServerTimeoutError, ServerUnavailableError
from gymrpc.ray.servers import ServerHandle, ServerPool

log = logging.getLogger("gymrpc.ray")

__all__ = ["BenchmarkResult", "Cell", "CellFailed", "run_benchmark", "summarize", "t975", "training_spec"]

#: t(0.975, df) for df = 1..30, the table of Stats.java.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)

_SCORES = {
    "final": agent_pb2.BENCHMARK_SCORE_FINAL_EVAL_MEAN,
    "last": agent_pb2.BENCHMARK_SCORE_LAST_EPISODES_MEAN,
    "mean": agent_pb2.BENCHMARK_SCORE_MEAN_EPISODE_RETURN,
}
_FINAL = frozenset({agent_pb2.JOB_STATE_SUCCEEDED, agent_pb2.JOB_STATE_FAILED, agent_pb2.JOB_STATE_CANCELLED,
                    agent_pb2.JOB_STATE_INTERRUPTED})


def t975(df: int) -> float:
    """t(0.975, df) as Stats.t975: the table for df <= 30, a Cornish-Fisher expansion beyond."""
    if df < 1:
        return math.nan
    if df <= len(_T975):
        return _T975[df - 1]
    z = 1.959964
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    return z + g1 / df + g2 / (df * df)


def summarize(values: Sequence[float]) -> tuple[int, float, float, float, float]:
    """(n, mean, sample sd, ci95 low, ci95 high) as Stats.summarize (one value: sd 0, CI collapsed)."""
    v = [float(x) for x in values]
    n = len(v)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = sum(v) / n
    if n == 1:
        return 1, mean, 0.0, mean, mean
    sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1))
    h = t975(n - 1) * sd / math.sqrt(n)
    return n, mean, sd, mean - h, mean + h


def training_spec(algorithm: str, env_id: str, *, seed: int = 0, steps: int | None = None,
                  episodes: int | None = None, preset: str | None = None, config: Mapping[str, Any] | None = None,
                  env_options: Mapping[str, Any] | None = None, evaluation: Mapping[str, Any] | None = None,
                  checkpoint_every_steps: int | None = None) -> "agent_pb2.TrainingSpec":
    """A ``TrainingSpec`` by algorithm name and config values (``ListAlgorithms`` field names; augmentation
    fields as ``"augmentations.grokfast_lambda"``); ``evaluation`` sets EvaluationSchedule fields."""
    if (steps is None) == (episodes is None):
        raise ValueError("give exactly one budget: steps=N or episodes=N")
    spec = agent_pb2.TrainingSpec(algorithm_name=algorithm, env_id=env_id, seed=int(seed))
    if steps is not None:
        spec.total_steps = int(steps)
    else:
        spec.total_episodes = int(episodes)
    if preset:
        spec.preset = preset
    for key, value in to_value_map(config, "config value").items():
        spec.config_values[key].CopyFrom(value)
    for key, value in to_value_map(env_options, "env option").items():
        spec.env_options[key].CopyFrom(value)
    for name, value in (evaluation or {}).items():
        setattr(spec.evaluation, name, value)
    if checkpoint_every_steps is not None:
        spec.checkpoint_every_steps = int(checkpoint_every_steps)
    return spec


# --------------------------------------------------------------------------------------------- cells


class CellFailed(RuntimeError):
    """The cell's training job FAILED on the server (its own error, e.g. divergence): not retried."""


class ServerLost(RuntimeError):
    """The cell's server stopped answering or lost the job: the cell is retried elsewhere."""


@dataclass
class Cell:
    """One finished (variant, seed) run."""

    variant: str
    seed: int
    score: float
    success_rate: float
    seconds: float
    job_id: str
    model_id: str
    address: str
    attempts: int
    curve: LearningCurve | None = None
    final_evaluation: EvaluationResult | None = None
    model: bytes | None = None
    episode_returns: np.ndarray | None = None


def _score(kind: int, final: EvaluationResult | None, returns: np.ndarray, last_episodes: int) -> float:
    if kind == agent_pb2.BENCHMARK_SCORE_LAST_EPISODES_MEAN:
        k = min(last_episodes, len(returns))
        return float(np.mean(returns[len(returns) - k:])) if k else math.nan
    if kind == agent_pb2.BENCHMARK_SCORE_MEAN_EPISODE_RETURN:
        return float(np.mean(returns)) if len(returns) else math.nan
    return final.mean_return if final is not None else math.nan


def run_cell(address: str, spec_bytes: bytes, variant: str, seed: int, *, label: str = "",
             poll: float = 1.0, timeout: float = 3600.0, unavailable_grace: float = 20.0,
             fetch_model: bool = True) -> dict:
    """Trains one cell on the server at ``address`` and returns its results (the body of the Ray task).

    Raises :class:`CellFailed` when the job FAILED and :class:`ServerLost` when the server stopped answering
    for ``unavailable_grace`` seconds or the job ended INTERRUPTED / CANCELLED (server restart, operator).
    """
    spec = agent_pb2.TrainingSpec.FromString(spec_bytes)
    spec.seed = int(seed)
    t0 = time.monotonic()
    client = AgentClient(address, call_timeout=30.0)
    job_id = None
    try:
        try:
            job = client.stub.StartTraining(agent_pb2.StartTrainingRequest(spec=spec, label=label), timeout=30.0,
                                            metadata=client._metadata)
        except Exception as exc:
            raise ServerLost(f"{address}: StartTraining failed: {exc}") from None
        job_id = job.job_id
        unavailable_since = None
        while job.state not in _FINAL:
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"cell {variant}/{seed}: job {job_id} on {address} not done after {timeout:g} s")
            time.sleep(poll)
            try:
                job = client.get_job(job_id)
                unavailable_since = None
            except (ServerUnavailableError, ServerTimeoutError) as exc:
                unavailable_since = unavailable_since or time.monotonic()
                if time.monotonic() - unavailable_since > unavailable_grace:
                    raise ServerLost(f"{address} unreachable for {unavailable_grace:g} s: {exc}") from None
        if job.state == agent_pb2.JOB_STATE_FAILED:
            raise CellFailed(f"cell {variant}/{seed}: job {job_id} on {address} failed: {job.reason}")
        if job.state != agent_pb2.JOB_STATE_SUCCEEDED:
            raise ServerLost(f"cell {variant}/{seed}: job {job_id} on {address} ended "
                             f"{agent_pb2.JobState.Name(job.state)}: {job.reason}")
        seconds = time.monotonic() - t0
        returns, final = [], None
        for event in client.events(job_id, reconnect=False):
            kind = event.WhichOneof("kind")
            if kind == "episode":
                returns.append(event.episode.episodic_return)
            elif kind == "evaluation" and event.evaluation.is_final:
                final = EvaluationResult.from_proto(event.evaluation.summary)
        curve = client.learning_curve(job_id)
        model = client.download_model(job.model_id)[1] if fetch_model else None
        job_id = None  # done: nothing to cancel
        return {"job_id": job.job_id, "model_id": job.model_id, "seconds": seconds, "returns": np.array(returns),
                "final": final, "curve": curve, "model": model, "address": address}
    finally:
        if job_id is not None:  # the task ends early (error, timeout, Ray cancel): stop the server's job
            try:
                client.cancel(job_id)
            except Exception:
                pass
        client.close()


# --------------------------------------------------------------------------------------------- result


@dataclass
class BenchmarkResult:
    """The merged table (an ``agent_pb2.BenchmarkTable``, as RunBenchmark's), every finished cell, the
    failures, and the retries that happened (``(variant, seed, server address, error)``)."""

    table: "agent_pb2.BenchmarkTable"
    cells: dict[tuple[str, int], Cell]
    failures: dict[tuple[str, int], str] = field(default_factory=dict)
    retries: list[tuple[str, int, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def format(self) -> str:
        """The table as text (the columns of the server's benchmark.csv)."""
        lines = [f"{'variant':<20} {'n':>3} {'mean':>10} {'std':>9} {'ci95_low':>10} {'ci95_high':>10} "
                 f"{'success':>8} {'s/run':>7}"]
        for r in self.table.rows:
            lines.append(f"{r.variant:<20} {r.n:>3} {r.mean:>10.3f} {r.std:>9.3f} {r.ci95_low:>10.3f} "
                         f"{r.ci95_high:>10.3f} {r.success_rate:>8.3f} {r.seconds_per_run:>7.1f}")
        return "\n".join(lines)


def build_table(variants: Sequence[str], seeds: Sequence[int], cells: Mapping[tuple[str, int], Cell],
                score: int) -> "agent_pb2.BenchmarkTable":
    """The RunBenchmark table of the finished cells (rows in variant order, runs in seed order), with the
    statistics of BenchmarkJob.addRun."""
    table = agent_pb2.BenchmarkTable(score=score)
    for name in variants:
        row = agent_pb2.BenchmarkRow(variant=name, mean=math.nan, ci95_low=math.nan, ci95_high=math.nan,
                                     success_rate=math.nan)
        for seed in seeds:
            cell = cells.get((name, int(seed)))
            if cell is None:
                continue
            row.seeds.append(int(seed))
            row.scores.append(cell.score)
            n, mean, sd, lo, hi = summarize(row.scores)
            prev = 0.0 if math.isnan(row.success_rate) else row.success_rate
            if not math.isnan(cell.success_rate):
                row.success_rate = (prev * (n - 1) + cell.success_rate) / n
            row.seconds_per_run = (row.seconds_per_run * (n - 1) + cell.seconds) / n
            row.n, row.mean, row.std, row.ci95_low, row.ci95_high = n, mean, sd, lo, hi
        table.rows.append(row)
    return table


# --------------------------------------------------------------------------------------------- driver


def _cause(exc: BaseException) -> BaseException:
    return getattr(exc, "cause", None) or exc


def run_benchmark(pool: ServerPool, variants: Mapping[str, "agent_pb2.TrainingSpec"], seeds: Sequence[int], *,
                  score: str = "final", last_episodes: int = 100, cells_per_server: int = 1,
                  max_attempts: int = 3, cell_timeout: float = 3600.0, unavailable_grace: float = 20.0,
                  fetch_models: bool = True, out_dir: str | Path | None = None, label: str = "",
                  on_cell: Callable[[Cell], None] | None = None, task_cpus: float = 0,
                  poll: float = 1.0) -> BenchmarkResult:
    """Runs every variant with every seed on the pool's servers (see the module doc) and returns the table.

    ``out_dir`` gets, per finished cell, ``<variant>/seed<seed>/`` with ``cell.json`` (score, job, server),
    ``curve.csv`` and ``model.zip``, and ``benchmark.csv`` at the end. Raises RuntimeError when every server
    is lost with cells left; the finished cells are in the exception's ``result``.
    """
    if score not in _SCORES:
        raise ValueError(f"score must be one of {sorted(_SCORES)}, got {score!r}")
    if not variants or not seeds:
        raise ValueError("give at least one variant and one seed")
    kind = _SCORES[score]
    names = list(variants)
    seeds = [int(s) for s in seeds]
    specs = {name: spec.SerializeToString() for name, spec in variants.items()}
    out = Path(out_dir) if out_dir is not None else None
    task = ray.remote(max_retries=0, num_cpus=task_cpus)(run_cell)
    pending = deque((name, seed) for name in names for seed in seeds)
    attempts: dict[tuple[str, int], int] = {}
    inflight: dict[Any, tuple[tuple[str, int], ServerHandle]] = {}
    load: dict[int, int] = {}
    result = BenchmarkResult(agent_pb2.BenchmarkTable(score=kind), {})
    t0 = time.monotonic()
    while pending or inflight:
        for server in pool.alive():
            while pending and load.get(id(server), 0) < cells_per_server:
                key = pending.popleft()
                attempts[key] = attempts.get(key, 0) + 1
                options = {}
                if server.node_id is not None:
                    options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(server.node_id, soft=False)
                ref = task.options(**options).remote(
                    server.address, specs[key[0]], key[0], key[1], label=label or f"{key[0]} seed {key[1]}",
                    timeout=cell_timeout, unavailable_grace=unavailable_grace, fetch_model=fetch_models, poll=poll)
                inflight[ref] = (key, server)
                load[id(server)] = load.get(id(server), 0) + 1
                log.info("cell %s/%s -> %s (attempt %d)", key[0], key[1], server.address, attempts[key])
        if not inflight:
            result.table = build_table(names, seeds, result.cells, kind)
            error = RuntimeError(f"every gymrpc server is lost; {len(pending)} cells not run: {list(pending)}")
            error.result = result
            raise error
        ready, _ = ray.wait(list(inflight), num_returns=1, timeout=min(5.0, max(0.05, poll)))
        for ref in ready:
            key, server = inflight.pop(ref)
            load[id(server)] -= 1
            try:
                r = ray.get(ref)
            except Exception as exc:
                cause = _cause(exc)
                if isinstance(cause, CellFailed):
                    result.failures[key] = str(cause)
                    log.warning("cell %s/%s failed: %s", key[0], key[1], cause)
                    continue
                server_ok = server.check()
                message = f"{type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''}"
                result.retries.append((key[0], key[1], server.address, message))
                log.warning("cell %s/%s on %s lost (%s); server %s", key[0], key[1], server.address, message,
                            "still up" if server_ok else "gone, dropped from the pool")
                if attempts[key] < max_attempts:
                    pending.appendleft(key)
                else:
                    result.failures[key] = f"gave up after {attempts[key]} attempts: {message}"
                continue
            final = r["final"]
            cell = Cell(variant=key[0], seed=key[1],
                        score=_score(kind, final, r["returns"], last_episodes),
                        success_rate=final.success_rate if final is not None else math.nan,
                        seconds=r["seconds"], job_id=r["job_id"], model_id=r["model_id"], address=r["address"],
                        attempts=attempts[key], curve=r["curve"], final_evaluation=final, model=r["model"],
                        episode_returns=r["returns"])
            result.cells[key] = cell
            if out is not None:
                _write_cell(out, cell)
            if on_cell is not None:
                on_cell(cell)
    result.table = build_table(names, seeds, result.cells, kind)
    result.seconds = time.monotonic() - t0
    if out is not None:
        _write_table(out / "benchmark.csv", result.table)
    return result


def _write_cell(out: Path, cell: Cell) -> None:
    d = out / cell.variant / f"seed{cell.seed}"
    d.mkdir(parents=True, exist_ok=True)
    meta = {k: getattr(cell, k) for k in ("variant", "seed", "score", "success_rate", "seconds", "job_id", "model_id",
                                          "address", "attempts")}
    (d / "cell.json").write_text(json.dumps(meta, indent=1))
    if cell.curve is not None:
        c = cell.curve
        rows = np.column_stack([c.episode, c.global_step, c.episodic_return, c.discounted_return, c.length])
        np.savetxt(d / "curve.csv", rows, delimiter=",", fmt="%.10g",
                   header="episode,global_step,episodic_return,discounted_return,length", comments="")
    if cell.model is not None:
        (d / "model.zip").write_bytes(cell.model)


def _write_table(path: Path, table) -> None:
    lines = ["variant,n,mean,std,ci95_low,ci95_high,success_rate,seconds_per_run,seeds,scores"]
    for r in table.rows:
        lines.append(f"{r.variant},{r.n},{r.mean},{r.std},{r.ci95_low},{r.ci95_high},{r.success_rate},"
                     f"{r.seconds_per_run},{' '.join(map(str, r.seeds))},{' '.join(map(str, r.scores))}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")

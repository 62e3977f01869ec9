"""A training job's scalars in a TensorBoard log directory, under Stable-Baselines3's names.

:meth:`gymrpc.agents.AgentClient.watch` uses it with ``tensorboard_dir=``; it can also follow any stream of
``JobEvent`` s::

    with JobTensorBoard("runs", job_id) as tb:
        for event in client.events(job_id):
            tb.write(event)

    tensorboard --logdir runs

The writer is tensorboardX's ``SummaryWriter`` (``pip install "gymrpc[tensorboard]"``; it needs neither
TensorFlow nor torch). Each training run gets its own directory, ``<dir>/<job_id>`` (benchmark jobs:
``<dir>/<job_id>/<variant>_seed<seed>``), as SB3 gives each run ``<tensorboard_log>/PPO_1``; the x axis is
the run's environment steps (SB3's ``num_timesteps``).

Names (SB3's where SB3 has the quantity, else the server's own namespaced name):

============================  =====================================================================
``time/fps``                   progress: environment steps per second
``time/episodes``              progress: training episodes finished
``rollout/ep_rew_mean``        progress: mean return of the last 100 training episodes
``charts/episodic_return``     each training episode (CleanRL's name; SB3 logs only the mean)
``charts/episodic_length``     each training episode
``eval/mean_reward``           each evaluation (SB3's EvalCallback), with ``eval/mean_ep_length``,
                               ``eval/std_reward`` and ``eval/success_rate``
``train/n_updates``            each update event, with the metrics below
============================  =====================================================================

Update metrics: ``losses/approx_kl`` -> ``train/approx_kl``, ``losses/clipfrac`` -> ``train/clip_fraction``,
``losses/explained_variance`` -> ``train/explained_variance``, ``losses/value_loss`` -> ``train/value_loss``,
``losses/policy_loss`` -> ``train/policy_gradient_loss``, ``losses/entropy`` -> ``train/entropy_loss`` (negated:
SB3 logs minus the mean entropy), ``losses/alpha`` (SAC) and ``losses/ent_coef`` (PPO) -> ``train/ent_coef``,
``losses/alpha_loss`` -> ``train/ent_coef_loss``, ``losses/actor_loss`` -> ``train/actor_loss``, and
``train/critic_loss`` = 0.5 (``losses/qf1_loss`` + ``losses/qf2_loss``) as SB3's SAC computes it; every other
metric (``losses/qf1_loss``, ``grad/actor_norm``, ``grade/ratio`` ...) keeps its own name.
"""

from __future__ import annotations

import math
import os
from typing import Any

#: Server metric name -> (SB3 name, sign).
SB3_UPDATE_NAMES: dict[str, tuple[str, float]] = {
    "losses/approx_kl": ("train/approx_kl", 1.0),
    "losses/clipfrac": ("train/clip_fraction", 1.0),
    "losses/explained_variance": ("train/explained_variance", 1.0),
    "losses/value_loss": ("train/value_loss", 1.0),
    "losses/policy_loss": ("train/policy_gradient_loss", 1.0),
    "losses/entropy": ("train/entropy_loss", -1.0),
    "losses/alpha": ("train/ent_coef", 1.0),
    "losses/ent_coef": ("train/ent_coef", 1.0),
    "losses/alpha_loss": ("train/ent_coef_loss", 1.0),
    "losses/actor_loss": ("train/actor_loss", 1.0),
}


def summary_writer_class():
    """tensorboardX's ``SummaryWriter``, or ImportError saying how to install it."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError('writing TensorBoard logs needs tensorboardX: pip install "gymrpc[tensorboard]" '
                          "(or pip install tensorboardX)") from None
    return SummaryWriter


def scalars(event) -> list[tuple[str, float]]:
    """The (SB3 name, value) pairs one JobEvent contributes (empty for state/checkpoint events)."""
    kind = event.WhichOneof("kind")
    out: list[tuple[str, float]] = []
    if kind == "progress":
        p = event.progress
        out += [("time/fps", p.steps_per_second), ("time/episodes", float(p.episodes))]
        if p.episodes:
            out.append(("rollout/ep_rew_mean", p.mean_episode_return))
    elif kind == "episode":
        e = event.episode
        out += [("charts/episodic_return", e.episodic_return), ("charts/episodic_length", float(e.episodic_length))]
    elif kind == "update":
        u = event.update
        out.append(("train/n_updates", float(u.updates)))
        metrics = dict(u.metrics)
        for name, value in sorted(metrics.items()):
            sb3_name, sign = SB3_UPDATE_NAMES.get(name, (name, 1.0))
            out.append((sb3_name, sign * value))
        if "losses/qf1_loss" in metrics and "losses/qf2_loss" in metrics:
            # SB3's SAC: critic_loss = 0.5 * (sum of the twin critics' MSE losses)
            out.append(("train/critic_loss", 0.5 * (metrics["losses/qf1_loss"] + metrics["losses/qf2_loss"])))
    elif kind == "evaluation":
        s = event.evaluation.summary
        out += [("eval/mean_reward", s.mean_return), ("eval/std_reward", s.std_return),
                ("eval/mean_ep_length", s.mean_length), ("eval/success_rate", s.success_rate)]
    return [(name, float(value)) for name, value in out if math.isfinite(value)]


class JobTensorBoard:
    """Writes a job's events as TensorBoard scalars (see the module doc); one writer per training run.

    Args:
        log_dir: the TensorBoard ``--logdir``.
        job_id: the job; its runs write under ``log_dir/job_id``.
        flush_secs: how often the writers flush to disk.
    """

    def __init__(self, log_dir: str | os.PathLike, job_id: str, *, flush_secs: int = 10):
        self._writer_class = summary_writer_class()
        self.log_dir = os.fspath(log_dir)
        self.job_id = job_id
        self.flush_secs = flush_secs
        self._writers: dict[str, Any] = {}

    def run_dir(self, event) -> str:
        """The directory of the run an event belongs to."""
        base = os.path.join(self.log_dir, self.job_id)
        return os.path.join(base, f"{event.variant}_seed{event.seed}") if event.variant else base

    def write(self, event) -> None:
        pairs = scalars(event)
        if not pairs:
            return
        path = self.run_dir(event)
        writer = self._writers.get(path)
        if writer is None:
            writer = self._writers[path] = self._writer_class(logdir=path, flush_secs=self.flush_secs)
        wall = event.unix_ms / 1000.0 if event.unix_ms else None
        for name, value in pairs:
            writer.add_scalar(name, value, global_step=int(event.global_step), walltime=wall)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def __enter__(self) -> "JobTensorBoard":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

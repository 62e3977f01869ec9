"""Ray Tune on gymrpc servers: a trainable whose trials are training jobs on the servers' AgentService.

    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    import gymrpc.ray as gr
    from gymrpc.ray.tune import GymrpcTrainable, run_config

    pool = gr.start_servers("server/target/gymrpc-server.jar")
    param_space = {
        "gymrpc": run_config(pool, "sac", "FourRooms-v0", steps=50_000, preset="fourrooms-fast",
                             evaluation={"every_steps": 5_000, "episodes": 10}),
        "actor_lr": tune.loguniform(1e-4, 1e-3),                          # any config field by name
        "augmentations.grokfast": True,
        "augmentations.grokfast_lambda": tune.grid_search([0.5, 2.0]),
    }
    tuner = tune.Tuner(GymrpcTrainable, param_space=param_space,
                       tune_config=tune.TuneConfig(metric="eval_mean_return", mode="max",
                                                   scheduler=ASHAScheduler(max_t=10, grace_period=2)))
    results = tuner.fit()

A trial's config is the fixed part under ``"gymrpc"`` (see :func:`run_config`: servers, algorithm, env,
budget, preset, evaluation schedule, env options) and every other key is a ``config_values`` entry of the
``TrainingSpec`` (``ListAlgorithms`` field names, augmentations as ``"augmentations.<field>"``), except
``"seed"`` (the run's seed) and ``"env_options.<name>"`` (an env option, e.g. ``"env_options.slip_prob"``).

* **Placement**: a trial trains on the gymrpc server of the Ray node its trainable runs on (servers started
  by :func:`gymrpc.ray.start_servers`), else on the server with the fewest running jobs.
* **Iterations**: one ``train()`` iteration = one periodic evaluation of the job (``EvaluationEvent``); the
  result has ``eval_mean_return`` (the metric to tune on), ``eval_std_return``, ``eval_success_rate``,
  ``global_step``, ``episodes``, ``mean_episode_return``, ``job_id``, ``server``. The job's end is the last
  iteration (``done=True``; its final evaluation is the reported value).
* **Schedulers**: when Tune stops a trial (ASHA / HyperBand / median stopping) or pauses it (PBT,
  HyperBand), the trainable's ``cleanup`` cancels the job on the server (``CancelJob``).
* **Checkpoints**: ``save_checkpoint`` records the server, job id and event offset (the server itself
  checkpoints the run every ``checkpoint_every_steps``); ``load_checkpoint`` resumes that job on its server
  (``ResumeJob``: from its last server checkpoint, step counter continuing) and follows its events from the
  saved offset. If that server is gone the trial starts its job again on another server.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Mapping

try:
    from ray import tune
except ImportError as exc:  # pragma: no cover - only without ray[tune]
    raise ImportError('gymrpc.ray.tune needs Ray Tune: pip install "gymrpc[ray]" (ray[tune])') from exc

import ray

from gymrpc.agents import AgentClient, agent_pb2
from gymrpc.errors import ServerError, ServerUnavailableError
from gymrpc.ray.benchmark import training_spec
from gymrpc.ray.servers import ServerPool

__all__ = ["GymrpcTrainable", "run_config"]

_FINAL = frozenset({agent_pb2.JOB_STATE_SUCCEEDED, agent_pb2.JOB_STATE_FAILED, agent_pb2.JOB_STATE_CANCELLED,
                    agent_pb2.JOB_STATE_INTERRUPTED})


def run_config(servers: ServerPool | list[str], algorithm: str, env_id: str, *, steps: int | None = None,
               episodes: int | None = None, preset: str | None = None,
               evaluation: Mapping[str, Any] | None = None, env_options: Mapping[str, Any] | None = None,
               checkpoint_every_steps: int | None = None, seed: int = 0) -> dict:
    """The fixed part of a trial's config (the ``"gymrpc"`` key): the servers (a pool or addresses) and the
    run besides the tuned config values. ``seed`` may also be tuned as a top-level ``"seed"`` key."""
    if isinstance(servers, ServerPool):
        by_node = {s.node_id: s.address for s in servers.alive() if s.node_id}
        addresses = servers.addresses
    else:
        by_node, addresses = {}, list(servers)
    if not addresses:
        raise ValueError("no gymrpc server to run trials on")
    return {"addresses": addresses, "by_node": by_node, "algorithm": algorithm, "env_id": env_id, "steps": steps,
            "episodes": episodes, "preset": preset, "evaluation": dict(evaluation or {}),
            "env_options": dict(env_options or {}), "checkpoint_every_steps": checkpoint_every_steps, "seed": seed}


class GymrpcTrainable(tune.Trainable):
    """A Tune trainable that trains through a gymrpc server's AgentService (see the module doc)."""

    def setup(self, config: dict) -> None:
        self.run = dict(config["gymrpc"])
        values = {k: v for k, v in config.items() if k not in ("gymrpc", "seed") and not k.startswith("env_options.")}
        env_options = {**self.run.get("env_options", {}),
                       **{k[len("env_options."):]: v for k, v in config.items() if k.startswith("env_options.")}}
        self.spec = training_spec(
            self.run["algorithm"], self.run["env_id"], seed=int(config.get("seed", self.run.get("seed", 0))),
            steps=self.run.get("steps"), episodes=self.run.get("episodes"), preset=self.run.get("preset"),
            config=values, env_options=env_options, evaluation=self.run.get("evaluation"),
            checkpoint_every_steps=self.run.get("checkpoint_every_steps"))
        self.client: AgentClient | None = None
        self.job_id: str | None = None
        self.offset = 0
        self._events = None
        self._last: dict = {}

    # ------------------------------------------------------------------------------------------ helpers

    def _pick_server(self) -> str:
        node = ray.get_runtime_context().get_node_id() if ray.is_initialized() else None
        local = self.run.get("by_node", {}).get(node)
        if local:
            return local
        best, best_load = None, None
        for address in self.run["addresses"]:
            try:
                with AgentClient(address, call_timeout=10) as c:
                    load = len(c.list_jobs(agent_pb2.JOB_STATE_RUNNING)) + len(c.list_jobs(agent_pb2.JOB_STATE_QUEUED))
            except ServerError:
                continue
            if best_load is None or load < best_load:
                best, best_load = address, load
        if best is None:
            raise ConnectionError(f"no gymrpc server answers among {self.run['addresses']}")
        return best

    def _connect(self, address: str) -> None:
        if self.client is not None:
            self.client.close()
        self.client = AgentClient(address, call_timeout=30)

    def _start(self) -> None:
        self._connect(self._pick_server())
        label = f"tune {self.trial_name}" if getattr(self, "_trial_info", None) else "tune"
        job = self.client.stub.StartTraining(agent_pb2.StartTrainingRequest(spec=self.spec, label=label),
                                             timeout=30, metadata=self.client._metadata)
        self.job_id, self.offset, self._events = job.job_id, 0, None

    def _follow(self):
        """The job's events from ``self.offset`` on; a dropped stream is reopened from the next unseen event,
        but a server unreachable for ``unavailable_grace`` s (default 30) fails the trial (Tune's
        FailureConfig may then restore it: the job is resumed, or started again on a live server)."""
        grace = float(self.run.get("unavailable_grace", 30.0))
        down_since = None
        while True:
            if self._events is None:
                self._events = self.client.events(self.job_id, self.offset, reconnect=False)
            try:
                for event in self._events:
                    down_since = None
                    yield event
                return
            except ServerUnavailableError:
                self._events = None
                down_since = down_since or time.monotonic()
                if time.monotonic() - down_since > grace:
                    raise
                time.sleep(1.0)

    # ------------------------------------------------------------------------------------------ Trainable

    def step(self) -> dict:
        if self.job_id is None:
            self._start()
        progress = None
        for event in self._follow():
            self.offset = event.offset + 1
            kind = event.WhichOneof("kind")
            if kind == "progress":
                progress = event.progress
            elif kind == "evaluation":
                s = event.evaluation.summary
                self._last = {"eval_mean_return": s.mean_return, "eval_std_return": s.std_return,
                              "eval_success_rate": s.success_rate, "global_step": event.global_step,
                              "final_evaluation": event.evaluation.is_final}
                if progress is not None:
                    self._last.update(episodes=progress.episodes, mean_episode_return=progress.mean_episode_return)
                if not event.evaluation.is_final:
                    return {**self._last, "job_id": self.job_id, "server": self.client.address}
        # The event stream ended: the job is over.
        job = self.client.get_job(self.job_id)
        if job.state != agent_pb2.JOB_STATE_SUCCEEDED:
            raise RuntimeError(f"gymrpc job {self.job_id} on {self.client.address} ended "
                               f"{agent_pb2.JobState.Name(job.state)}: {job.reason}")
        if not self._last:
            raise RuntimeError(f"gymrpc job {self.job_id} reported no evaluation; set an evaluation schedule")
        self.model_id = job.model_id
        return {**self._last, "global_step": job.progress.global_step, "job_id": self.job_id,
                "model_id": job.model_id, "server": self.client.address, "done": True}

    def save_checkpoint(self, checkpoint_dir: str) -> dict:
        state = {"address": self.client.address if self.client else None, "job_id": self.job_id,
                 "offset": self.offset, "last": self._last}
        Path(checkpoint_dir, "gymrpc_job.json").write_text(json.dumps(state))
        return state

    def load_checkpoint(self, checkpoint) -> None:
        if isinstance(checkpoint, (str, os.PathLike)):
            checkpoint = json.loads(Path(checkpoint, "gymrpc_job.json").read_text())
        self._events = None
        self._last = checkpoint.get("last") or {}
        address, job_id = checkpoint.get("address"), checkpoint.get("job_id")
        if not job_id or not address:
            self.job_id = None
            return
        try:
            self._connect(address)
            job = self.client.get_job(job_id)
            if job.state in (agent_pb2.JOB_STATE_CANCELLED, agent_pb2.JOB_STATE_INTERRUPTED):
                self.client.resume(job_id)  # from the server's last checkpoint, step counter continuing
            self.job_id, self.offset = job_id, int(checkpoint.get("offset", 0))
        except ServerError:
            self.job_id = None  # the server or the job is gone: start the run again elsewhere

    def cleanup(self) -> None:
        """Stopped (ASHA), paused or finished: cancel the job if it is still running on the server."""
        if self.client is None:
            return
        try:
            if self.job_id is not None and self.client.get_job(self.job_id).state not in _FINAL:
                self.client.cancel(self.job_id)
        except ServerError:
            pass
        finally:
            self._events = None
            self.client.close()
            self.client = None

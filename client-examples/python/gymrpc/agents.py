"""Training, watching, evaluating and querying agents on a gymrpc server (its ``AgentService``).

    from gymrpc.agents import AgentClient

    client = AgentClient("localhost:50051")
    job = client.train("sac", "FourRooms-v0", seed=1, episodes=300, grokfast=True,
                       config={"hidden_sizes": [64], "learning_starts": 1000})
    job = client.watch(job.job_id)                 # tqdm progress bar; returns the finished Job
    result = client.evaluate(job.model_id, episodes=20, seed=0)
    actions, probabilities = client.act(job.model_id, observations)      # batched, numpy in and out
    info = client.download_model(job.model_id, "sac_fourrooms.zip")
    curve = client.learning_curve(job.job_id)      # numpy arrays per episode, for matplotlib

Training runs on the server as a job: ``train`` returns at once with the job QUEUED or RUNNING, ``watch``
follows its event stream (and reconnects after a dropped connection from the next unseen event, so no
event is lost or seen twice). Hyperparameters not given take the server's preset values (the paper's,
for the environment); ``config`` sets any field of ``SacConfig`` / ``PpoConfig`` in agent.proto.

Errors are :class:`gymrpc.ServerError` subclasses as for environments, plus the agent ones below
(:class:`InvalidConfigError` names the rejected ``field``).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import grpc
import numpy as np

from gymrpc._codec import numpy_to_tensor, tensor_to_numpy, to_value_map
from gymrpc._transport import DEFAULT_CALL_TIMEOUT, resolve_address
from gymrpc.errors import (
    InvalidArgumentError,
    ResourceExhaustedError,
    ServerError,
    ServerUnavailableError,
    from_rpc_error,
)

try:
    from gymrpc._proto import agent_pb2, agent_pb2_grpc
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "gymrpc's gRPC stubs (gymrpc._proto) are missing: they are generated from the repository's .proto "
        "files when the package is installed. From the repository root run `pip install ./client-examples/python`."
    ) from exc

__all__ = [
    "AgentClient",
    "EvaluationResult",
    "InvalidConfigError",
    "JobQueueFullError",
    "JobStateError",
    "LearningCurve",
    "UnknownJobError",
    "UnknownModelError",
    "agent_pb2",
]

#: Job states after which a job stays put until someone resumes it.
FINAL_STATES = frozenset(
    {
        agent_pb2.JOB_STATE_SUCCEEDED,
        agent_pb2.JOB_STATE_FAILED,
        agent_pb2.JOB_STATE_CANCELLED,
        agent_pb2.JOB_STATE_INTERRUPTED,
    }
)

_ALGORITHMS = {"sac": agent_pb2.ALGORITHM_SAC, "ppo": agent_pb2.ALGORITHM_PPO}
_SCORES = {
    "final": agent_pb2.BENCHMARK_SCORE_FINAL_EVAL_MEAN,
    "last": agent_pb2.BENCHMARK_SCORE_LAST_EPISODES_MEAN,
    "mean": agent_pb2.BENCHMARK_SCORE_MEAN_EPISODE_RETURN,
}


# --------------------------------------------------------------------------------------------- errors


class InvalidConfigError(InvalidArgumentError):
    """A config value is out of range or a required field is missing; ``field`` is its proto path."""

    @property
    def field(self) -> str | None:
        return self.metadata.get("field")


class UnknownJobError(ServerError, KeyError):
    """No job with that id on the server."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class UnknownModelError(ServerError, KeyError):
    """No model with that id in the server's store."""

    def __str__(self) -> str:
        return self.message


class JobStateError(ServerError):
    """The job's state does not allow the operation (e.g. resuming a job that succeeded)."""


class JobQueueFullError(ResourceExhaustedError):
    """Every worker is busy and the server's job queue is full; retry when a job ends."""


_AGENT_ERRORS = {
    "INVALID_CONFIG": InvalidConfigError,
    "UNKNOWN_JOB": UnknownJobError,
    "UNKNOWN_MODEL": UnknownModelError,
    "JOB_STATE": JobStateError,
    "JOB_QUEUE_FULL": JobQueueFullError,
    "INVALID_OBSERVATION": InvalidArgumentError,
}


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> Iterator[tuple[int, Any]]:
    """(field number, value) of a serialized message; length-delimited values as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            return
        yield number, value


def _error_info_metadata(trailers) -> dict[str, str]:
    """The ``metadata`` map of the google.rpc.ErrorInfo in ``grpc-status-details-bin`` (no extra dependency:
    google.rpc.Status{details: repeated Any{type_url, value}} and ErrorInfo{reason, domain, map metadata = 3}
    are decoded from the wire format directly)."""
    out: dict[str, str] = {}
    for key, value in trailers or ():
        if key != "grpc-status-details-bin" or not isinstance(value, bytes):
            continue
        try:
            for number, any_bytes in _fields(value):
                if number != 3:
                    continue
                parts = dict(_fields(any_bytes))
                if not parts.get(1, b"").endswith(b"google.rpc.ErrorInfo"):
                    continue
                for field, entry in _fields(parts.get(2, b"")):
                    if field == 3:
                        kv = dict(_fields(entry))
                        out[kv.get(1, b"").decode()] = kv.get(2, b"").decode()
        except (IndexError, UnicodeDecodeError):
            return out
    return out


def _translate(exc: grpc.RpcError, address: str) -> ServerError:
    error = from_rpc_error(exc, address)
    cls = _AGENT_ERRORS.get(error.reason)
    metadata = dict(error.metadata)
    if hasattr(exc, "trailing_metadata"):
        metadata.update(_error_info_metadata(exc.trailing_metadata()))
    if cls is None:
        error.metadata = metadata
        return error
    return cls(error.message, error.code, error.reason, metadata)


# --------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class EvaluationResult:
    """Per-episode results of an evaluation (EvaluationSummary), as numpy arrays."""

    returns: np.ndarray
    lengths: np.ndarray
    discounted_returns: np.ndarray
    mean_return: float
    std_return: float
    mean_length: float
    success_rate: float

    @classmethod
    def from_proto(cls, s) -> "EvaluationResult":
        return cls(
            returns=np.array(s.returns, dtype=np.float64),
            lengths=np.array(s.lengths, dtype=np.int64),
            discounted_returns=np.array(s.discounted_returns, dtype=np.float64),
            mean_return=s.mean_return,
            std_return=s.std_return,
            mean_length=s.mean_length,
            success_rate=s.success_rate,
        )


@dataclass(frozen=True)
class LearningCurve:
    """A job's training episodes (from its event log), one entry per episode."""

    episode: np.ndarray
    global_step: np.ndarray
    episodic_return: np.ndarray
    discounted_return: np.ndarray
    length: np.ndarray
    #: (global_step, mean return) of each periodic evaluation.
    evaluations: np.ndarray


# --------------------------------------------------------------------------------------------- client


class AgentClient:
    """A connection to a gymrpc server's AgentService.

    ``address`` defaults to ``$GYMRPC_ADDRESS`` or ``localhost:50051``; ``token`` (default
    ``$GYMRPC_AUTH_TOKEN``) is sent as ``authorization: Bearer <token>`` for servers started with one.
    """

    def __init__(self, address: str | None = None, *, token: str | None = None,
                 call_timeout: float | None = DEFAULT_CALL_TIMEOUT):
        self.address = resolve_address(address)
        self.call_timeout = call_timeout
        self.channel = grpc.insecure_channel(
            self.address,
            options=[("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.enable_http_proxy", 0)],
        )
        self.stub = agent_pb2_grpc.AgentServiceStub(self.channel)
        token = token if token is not None else os.environ.get("GYMRPC_AUTH_TOKEN", "")
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "AgentClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _call(self, method: str, request, timeout: float | None = -1.0):
        try:
            return getattr(self.stub, method)(
                request, timeout=self.call_timeout if timeout == -1.0 else timeout, metadata=self._metadata
            )
        except grpc.RpcError as exc:
            raise _translate(exc, self.address) from None

    # ---------------------------------------------------------------- training

    @staticmethod
    def spec(
        algorithm: str,
        env_id: str,
        *,
        seed: int = 0,
        steps: int | None = None,
        episodes: int | None = None,
        preset: str | None = None,
        config: Mapping[str, Any] | None = None,
        grokfast: bool | None = None,
        grade: bool | None = None,
        grad_clip: float | None = None,
        weight_decay: float | None = None,
        augmentations: Mapping[str, Any] | None = None,
        env_options: Mapping[str, Any] | None = None,
        evaluation: Mapping[str, Any] | None = None,
        checkpoint_every_steps: int | None = None,
    ):
        """A ``TrainingSpec`` message. Unset hyperparameters take the preset's values on the server.

        ``config`` sets ``SacConfig`` / ``PpoConfig`` fields by name (``{"gamma": 0.98, "hidden_sizes": [64]}``),
        ``augmentations`` any ``Augmentations`` field (``grokfast_alpha`` ...), ``evaluation`` the
        ``EvaluationSchedule`` (``every_episodes``, ``every_steps``, ``episodes``, ``final_episodes``,
        ``deterministic``). Exactly one of ``steps`` and ``episodes`` is the budget.
        """
        algo = _ALGORITHMS.get(algorithm.lower())
        if algo is None:
            raise ValueError(f"algorithm must be 'sac' or 'ppo', got {algorithm!r}")
        if (steps is None) == (episodes is None):
            raise ValueError("give exactly one budget: steps=N or episodes=N")
        spec = agent_pb2.TrainingSpec(algorithm=algo, env_id=env_id, seed=seed)
        if steps is not None:
            spec.total_steps = int(steps)
        else:
            spec.total_episodes = int(episodes)
        if preset:
            spec.preset = preset
        target = spec.sac if algo == agent_pb2.ALGORITHM_SAC else spec.ppo
        target.SetInParent()
        for name, value in (config or {}).items():
            _set_field(target, name, value)
        aug = dict(augmentations or {})
        for name, value in (("grokfast", grokfast), ("grade", grade), ("grad_clip", grad_clip),
                            ("weight_decay", weight_decay)):
            if value is not None:
                aug[name] = value
        for name, value in aug.items():
            _set_field(spec.augmentations, name, value)
        for name, value in (evaluation or {}).items():
            _set_field(spec.evaluation, name, value)
        for key, value in to_value_map(env_options, "env option").items():
            spec.env_options[key].CopyFrom(value)
        if checkpoint_every_steps is not None:
            spec.checkpoint_every_steps = int(checkpoint_every_steps)
        return spec

    def train(self, algorithm: str, env_id: str, *, label: str | None = None, wait: bool = False,
              progress: bool = True, **spec_args) -> "agent_pb2.Job":
        """Starts a training job (see :meth:`spec` for the arguments) and returns it; with ``wait=True``
        watches it to the end (progress bar unless ``progress=False``) and returns the finished job."""
        request = agent_pb2.StartTrainingRequest(spec=self.spec(algorithm, env_id, **spec_args), label=label or "")
        job = self._call("StartTraining", request)
        return self.watch(job.job_id, progress=progress) if wait else job

    def benchmark(self, variants: Mapping[str, "agent_pb2.TrainingSpec"], seeds: Sequence[int], *,
                  score: str = "final", last_episodes: int = 100, label: str | None = None) -> "agent_pb2.Job":
        """Starts a benchmark: every variant (name -> :meth:`spec`) with every seed; the finished job's
        ``benchmark_result`` has the mean and 95% confidence interval per variant."""
        if score not in _SCORES:
            raise ValueError(f"score must be one of {sorted(_SCORES)}, got {score!r}")
        request = agent_pb2.RunBenchmarkRequest(
            variants=[agent_pb2.BenchmarkVariant(name=name, spec=spec) for name, spec in variants.items()],
            seeds=list(seeds), score=_SCORES[score], last_episodes=last_episodes, label=label or "",
        )
        return self._call("RunBenchmark", request)

    # ---------------------------------------------------------------- jobs

    def get_job(self, job_id: str) -> "agent_pb2.Job":
        return self._call("GetJob", agent_pb2.GetJobRequest(job_id=job_id))

    def list_jobs(self, state: int = agent_pb2.JOB_STATE_UNSPECIFIED, limit: int = 0) -> list:
        return list(self._call("ListJobs", agent_pb2.ListJobsRequest(state=state, limit=limit)).jobs)

    def cancel(self, job_id: str) -> "agent_pb2.Job":
        """Cancels a job; a running one stops at its next step (waits up to 5 s on the server)."""
        return self._call("CancelJob", agent_pb2.CancelJobRequest(job_id=job_id))

    def resume(self, job_id: str) -> "agent_pb2.Job":
        """Resumes an INTERRUPTED or CANCELLED job from its last checkpoint."""
        return self._call("ResumeJob", agent_pb2.ResumeJobRequest(job_id=job_id))

    def events(self, job_id: str, from_offset: int = 0, *, progress_only: bool = False,
               reconnect: bool = True) -> Iterator["agent_pb2.JobEvent"]:
        """The job's events from ``from_offset`` until it ends. After a dropped connection (server restart,
        network) it reconnects from the next unseen offset, backing off up to 10 s, when ``reconnect``."""
        next_offset = from_offset
        backoff = 0.25
        while True:
            request = agent_pb2.WatchJobRequest(job_id=job_id, from_offset=next_offset, progress_only=progress_only)
            try:
                for event in self.stub.WatchJob(request, metadata=self._metadata):
                    next_offset = event.offset + 1
                    backoff = 0.25
                    yield event
                return
            except grpc.RpcError as exc:
                error = _translate(exc, self.address)
                if not reconnect or not isinstance(error, ServerUnavailableError):
                    raise error from None
                time.sleep(backoff)
                backoff = min(10.0, backoff * 2)

    def watch(self, job_id: str, *, from_offset: int = 0, progress: bool = True,
              on_event: Callable[["agent_pb2.JobEvent"], None] | None = None,
              tensorboard_dir: str | Path | None = None) -> "agent_pb2.Job":
        """Follows a job to its end with a tqdm progress bar (steps or episodes, live return, evaluation
        and losses) and returns the final job. ``on_event`` sees every event. Without tqdm installed, or with
        ``progress=False``, no bar is drawn. ``tensorboard_dir`` also writes the job's scalars there under
        SB3's names (``tensorboard --logdir DIR``; see :mod:`gymrpc.tensorboard`, needs tensorboardX)."""
        if tensorboard_dir is not None:
            from gymrpc.tensorboard import JobTensorBoard

            with JobTensorBoard(tensorboard_dir, job_id) as board:
                def write_then_hook(event):
                    board.write(event)
                    if on_event is not None:
                        on_event(event)

                return self.watch(job_id, from_offset=from_offset, progress=progress, on_event=write_then_hook)
        bar = None
        if progress:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # pragma: no cover - tqdm is optional
                tqdm = None
            if tqdm is not None:
                bar = tqdm(total=None, desc=job_id, unit="step", dynamic_ncols=True)
        post: dict[str, str] = {}
        try:
            for event in self.events(job_id, from_offset):
                if on_event is not None:
                    on_event(event)
                if bar is None:
                    continue
                kind = event.WhichOneof("kind")
                if kind == "progress":
                    p = event.progress
                    if bar.total != p.budget and p.budget:
                        bar.total = p.budget if p.runs_total == 0 else 1000
                        bar.unit = p.budget_unit[:-1] if p.runs_total == 0 else "‰"
                    done = (p.global_step if p.budget_unit == "steps" else p.episodes) if p.runs_total == 0 \
                        else int(1000 * p.fraction)
                    bar.update(max(0, done - bar.n))
                    post["sps"] = f"{p.steps_per_second:.0f}"
                    if p.runs_total:
                        post["run"] = f"{min(p.runs_done + 1, p.runs_total)}/{p.runs_total}"
                    bar.set_postfix(post, refresh=True)
                elif kind == "episode":
                    post["return"] = f"{event.episode.episodic_return:.1f}"
                elif kind == "update":
                    for name in ("losses/qf1_loss", "losses/actor_loss", "losses/policy_loss", "losses/value_loss",
                                 "losses/entropy"):
                        if name in event.update.metrics:
                            post[name.split("/", 1)[1]] = f"{event.update.metrics[name]:.3g}"
                elif kind == "evaluation":
                    post["eval"] = f"{event.evaluation.summary.mean_return:.1f}"
                elif kind == "state":
                    bar.set_description(f"{job_id} {agent_pb2.JobState.Name(event.state.state)[10:].lower()}")
        finally:
            if bar is not None:
                bar.close()
        return self.get_job(job_id)

    def wait(self, job_id: str, poll: float = 0.5, timeout: float | None = None) -> "agent_pb2.Job":
        """Polls GetJob until the job is in a final state (an alternative to :meth:`watch`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get_job(job_id)
            if job.state in FINAL_STATES:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {agent_pb2.JobState.Name(job.state)} after {timeout} s")
            time.sleep(poll)

    def learning_curve(self, job_id: str, variant: str | None = None, seed: int | None = None) -> LearningCurve:
        """The training episodes of a job from its event log (for a benchmark: of one ``variant`` and ``seed``)."""
        rows, evals = [], []
        for event in self.events(job_id):
            if variant is not None and (event.variant != variant or (seed is not None and event.seed != seed)):
                continue
            kind = event.WhichOneof("kind")
            if kind == "episode":
                e = event.episode
                rows.append((e.episode, event.global_step, e.episodic_return, e.discounted_return, e.episodic_length))
            elif kind == "evaluation" and not event.evaluation.is_final:
                evals.append((event.global_step, event.evaluation.summary.mean_return))
        data = np.array(rows, dtype=np.float64).reshape(-1, 5)
        return LearningCurve(
            episode=data[:, 0].astype(np.int64),
            global_step=data[:, 1].astype(np.int64),
            episodic_return=data[:, 2],
            discounted_return=data[:, 3],
            length=data[:, 4].astype(np.int64),
            evaluations=np.array(evals, dtype=np.float64).reshape(-1, 2),
        )

    # ---------------------------------------------------------------- models

    def evaluate(self, model_id: str, *, episodes: int = 10, seed: int = 0, deterministic: bool = True,
                 env_id: str | None = None, env_options: Mapping[str, Any] | None = None,
                 timeout: float | None = None) -> EvaluationResult:
        """Runs ``episodes`` episodes of a stored model (episode i resets with ``seed + i``)."""
        request = agent_pb2.EvaluateRequest(model_id=model_id, episodes=episodes, seed=seed,
                                            deterministic=deterministic, env_id=env_id or "")
        for key, value in to_value_map(env_options, "env option").items():
            request.env_options[key].CopyFrom(value)
        return EvaluationResult.from_proto(self._call("Evaluate", request, timeout=timeout).summary)

    def act(self, model_id: str, observations, *, deterministic: bool = True, seed: int = 0):
        """Actions (int64, shape [batch]) and action probabilities (float32, [batch, n]) of a stored model for
        a batch of observations (float32 [batch, obs_dim]; one observation without the batch axis is a batch
        of one)."""
        obs = np.asarray(observations, dtype=np.float32)
        response = self._call("Act", agent_pb2.ActRequest(model_id=model_id, observations=numpy_to_tensor(obs),
                                                          deterministic=deterministic, seed=seed))
        return tensor_to_numpy(response.actions), tensor_to_numpy(response.probabilities)

    def list_models(self, env_id: str = "") -> list:
        return list(self._call("ListModels", agent_pb2.ListModelsRequest(env_id=env_id)).models)

    def download_model(self, model_id: str, path: str | Path | None = None):
        """Downloads a model file; checks its size and SHA-256 against the server's ModelInfo. Writes it to
        ``path`` (atomically) when given and returns ``(info, path)``, else returns ``(info, bytes)``."""
        info, parts, size = None, [], 0
        try:
            for chunk in self.stub.GetModel(agent_pb2.GetModelRequest(model_id=model_id), metadata=self._metadata):
                if chunk.HasField("info"):
                    info = chunk.info
                if chunk.offset != size:
                    raise ServerError(f"model download of {model_id}: chunk at offset {chunk.offset}, expected {size}")
                parts.append(chunk.data)
                size += len(chunk.data)
        except grpc.RpcError as exc:
            raise _translate(exc, self.address) from None
        data = b"".join(parts)
        if info is None or len(data) != info.size_bytes or hashlib.sha256(data).hexdigest() != info.sha256:
            raise ServerError(f"model download of {model_id} is incomplete or corrupt ({len(data)} bytes)")
        if path is None:
            return info, data
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
        return info, path

    def delete_model(self, model_id: str) -> None:
        self._call("DeleteModel", agent_pb2.DeleteModelRequest(model_id=model_id))


def _set_field(message, name: str, value) -> None:
    """Sets a (possibly repeated or enum) field by name, with a clear error for unknown names."""
    descriptor = message.DESCRIPTOR.fields_by_name.get(name)
    if descriptor is None:
        raise ValueError(f"{message.DESCRIPTOR.name} has no field {name!r}; fields: "
                         f"{', '.join(message.DESCRIPTOR.fields_by_name)}")
    # protobuf 7 dropped FieldDescriptor.label; older runtimes lack is_repeated.
    repeated = descriptor.is_repeated if hasattr(descriptor, "is_repeated") \
        else descriptor.label == descriptor.LABEL_REPEATED
    if repeated:
        field = getattr(message, name)
        del field[:]
        field.extend(value)
    elif descriptor.enum_type is not None and isinstance(value, str):
        wanted = value.upper()
        for candidate in descriptor.enum_type.values:
            if candidate.number and (candidate.name == wanted or candidate.name.endswith("_" + wanted)):
                setattr(message, name, candidate.number)
                return
        raise ValueError(f"{name}={value!r}: choose one of "
                         f"{', '.join(v.name.lower() for v in descriptor.enum_type.values if v.number)}")
    else:
        setattr(message, name, value)

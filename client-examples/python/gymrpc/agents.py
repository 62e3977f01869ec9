"""Training, watching, evaluating and querying agents on a gymrpc server (its ``AgentService``).

    from gymrpc.agents import AgentClient

    client = AgentClient("localhost:50051")
    print(client.algorithms())                     # every algorithm: action spaces, fields, presets
    print(client.algorithm("sac"))                 # one algorithm's fields: type, default, range, doc
    job = client.train("sac", "FourRooms-v0", seed=1, episodes=300, grokfast=True,
                       hidden_sizes=[64], learning_starts=1000)
    job = client.watch(job.job_id)                 # tqdm progress bar; returns the finished Job
    print(describe_job(job))                       # one line: names, never enum numbers
    result = client.evaluate(job.model_id, episodes=20, seed=0)
    actions, probabilities = client.act(job.model_id, observations)      # batched, numpy in and out
    info, path = client.download_model(job.model_id, "sac_fourrooms.zip")          # or format="dl4j"
    curve = client.learning_curve(job.job_id)      # numpy arrays per episode, for matplotlib

Algorithms are the server's plug-ins (``ListAlgorithms``): a training request names one
(``TrainingSpec.algorithm_name``: "ppo", "sac", "sac-continuous", "soft-ppo", ...) and sets config values by
field name (``TrainingSpec.config_values``), which the server checks against the algorithm's schema.
This client sends only that form; the deprecated typed messages of agent.proto (``Algorithm`` enum,
``SacConfig`` / ``PpoConfig``) are never sent, but old calls that set their fields by name still work
because the names are the same.

Training runs on the server as a job: ``train`` returns at once with the job QUEUED or RUNNING, ``watch``
follows its event stream (and reconnects after a dropped connection from the next unseen event, so no
event is lost or seen twice). Hyperparameters not given take the preset's values (the paper's, for the
environment).

Errors are :class:`gymrpc.ServerError` subclasses as for environments, plus the agent ones below
(:class:`InvalidConfigError` names the rejected ``field``).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import grpc
import numpy as np

from gymrpc._codec import from_value, numpy_to_tensor, tensor_to_numpy, to_value, to_value_map
from gymrpc._pb import common_pb2
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
    "algorithm_name",
    "describe_job",
    "describe_model",
    "state_name",
    "EvaluationResult",
    "InvalidConfigError",
    "JobQueueFullError",
    "JobStateError",
    "LearningCurve",
    "Preset",
    "UnknownJobError",
    "UnknownModelError",
    "UnsupportedFormatError",
    "agent_pb2",
    "AlgorithmInfo",
    "Algorithms",
    "ConfigField",
    "config_values",
    "modern_spec",
    "spec_config",
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

#: The deprecated ``Algorithm`` enum's values and the names that replaced them (for reading old specs).
_LEGACY_ALGORITHMS = {agent_pb2.ALGORITHM_PPO: "ppo", agent_pb2.ALGORITHM_SAC: "sac"}
#: Config fields that were proto enums in the deprecated SacConfig / PpoConfig: their numbers (and
#: ``INIT_DDPG_UNIFORM``-style names) still work and are sent as the choice's name ("ddpg_uniform").
_LEGACY_ENUM_FIELDS = {"init": agent_pb2.Init, "advantage": agent_pb2.AdvantageEstimator}
#: download_model formats.
_FORMATS = {"gymrpc": agent_pb2.MODEL_FORMAT_GYMRPC, "dl4j": agent_pb2.MODEL_FORMAT_DL4J}
_SCORES = {
    "final": agent_pb2.BENCHMARK_SCORE_FINAL_EVAL_MEAN,
    "last": agent_pb2.BENCHMARK_SCORE_LAST_EPISODES_MEAN,
    "mean": agent_pb2.BENCHMARK_SCORE_MEAN_EPISODE_RETURN,
}


# --------------------------------------------------------------------------------------------- enum names
# Protobuf enum fields read as plain ints in Python (``job.state`` is ``6``); these give the names a
# person reads, as the Java CLI prints them. Unknown numbers (a newer server) come out as e.g. ``STATE_9``.


def _enum_name(enum_name: str, value, prefix: str) -> str:
    if isinstance(value, str):  # already a name (or an algorithm given by name)
        return value
    enum = getattr(agent_pb2, enum_name, None)
    try:
        return enum.Name(int(value))[len(prefix):]
    except (AttributeError, ValueError):
        return f"{prefix.rstrip('_').rsplit('_', 1)[-1]}_{int(value)}"


def state_name(state) -> str:
    """A job state's name: ``state_name(job.state)`` is ``"SUCCEEDED"`` for ``JOB_STATE_SUCCEEDED``."""
    return _enum_name("JobState", state, "JOB_STATE_")


def algorithm_name(algorithm) -> str:
    """An algorithm's name as ``train`` takes it: ``algorithm_name(job.training.algorithm)`` is ``"sac"``."""
    return _enum_name("Algorithm", algorithm, "ALGORITHM_").lower()


def describe_job(job) -> str:
    """One line about a job for people: id, what it trains, state by name, progress, reason and model."""
    parts = [job.job_id]
    if job.HasField("training"):
        parts.append(f"{algorithm_name(job.training.algorithm_name or job.training.algorithm)} {job.training.env_id}")
    elif job.label:
        parts.append(job.label)
    parts.append(state_name(job.state))
    if job.progress.global_step or job.progress.episodes:
        parts.append(f"(step {job.progress.global_step:,}, {job.progress.episodes:,} episodes)")
    line = " ".join(parts)
    if job.reason:
        line += f": {job.reason}"
    if job.model_id:
        line += f"; model {job.model_id}"
    return line


def describe_model(info) -> str:
    """One line about a stored model (a ModelInfo) for people, algorithm by name."""
    return (f"{info.model_id} {algorithm_name(info.algorithm_name or info.algorithm)} {info.env_id} "
            f"(step {info.global_step:,}, {info.episodes:,} episodes, job {info.job_id or '-'})")


# --------------------------------------------------------------------------------------------- errors


class InvalidConfigError(InvalidArgumentError):
    """A config value is unknown, mistyped or out of range, or a required field is missing; ``field`` names
    it as the server reported it (the message gives the allowed range)."""

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


class UnsupportedFormatError(ServerError, NotImplementedError):
    """The server cannot export a model in the requested format (e.g. ``format="dl4j"`` on a server built
    without the DL4J exporter)."""


_AGENT_ERRORS = {
    "INVALID_CONFIG": InvalidConfigError,
    "UNKNOWN_JOB": UnknownJobError,
    "UNKNOWN_MODEL": UnknownModelError,
    "JOB_STATE": JobStateError,
    "JOB_QUEUE_FULL": JobQueueFullError,
    "UNSUPPORTED_FORMAT": UnsupportedFormatError,
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


# --------------------------------------------------------------------------------------------- algorithms


def _plain(value: Any) -> Any:
    """A decoded Value as plain Python (int tensors as lists of ints)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _show(value: Any) -> str:
    """A config value as a person reads it: 0.99, 0.0003, [64, 64], mc, True, -inf."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "-"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """A plain-text table; the last column is not padded (it holds the long docs)."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = []
    for row in [list(headers), *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths)] + [row[-1]]
        lines.append((indent + "  ".join(cells)).rstrip())
    return "\n".join(lines)


@dataclass(frozen=True)
class ConfigField:
    """One config field of an algorithm (agent.proto ConfigField): its name in ``config_values`` (e.g.
    ``"gamma"``, ``"augmentations.grokfast"``), type (``double``, ``int``, ``long``, ``bool``, ``string``,
    ``enum``, ``int_list``), one-line doc, allowed range as text, enum choices and default (the value in the
    algorithm's first preset)."""

    name: str
    type: str
    doc: str = ""
    range: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None

    @classmethod
    def from_proto(cls, f) -> "ConfigField":
        default = _plain(from_value(f.default_value)) if f.HasField("default_value") else None
        return cls(name=f.name, type=f.type, doc=f.doc, range=f.range, choices=tuple(f.choices), default=default)

    def __str__(self) -> str:
        allowed = f", {self.range}" if self.range else ""
        return f"{self.name} ({self.type}{allowed}; default {_show(self.default)}): {self.doc}"


@dataclass(frozen=True)
class Preset:
    """A named set of config values (``preset=`` of :meth:`AgentClient.train`)."""

    name: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_proto(cls, p) -> "Preset":
        return cls(name=p.name, values={k: _plain(from_value(v)) for k, v in sorted(p.values.items())})


@dataclass(frozen=True)
class AlgorithmInfo:
    """An algorithm the server can train (agent.proto AlgorithmInfo). ``print(info)`` shows its fields as a
    table and its presets."""

    name: str
    description: str = ""
    #: "discrete" and/or "continuous".
    action_kinds: tuple[str, ...] = ()
    fields: tuple[ConfigField, ...] = ()
    presets: tuple[Preset, ...] = ()

    @classmethod
    def from_proto(cls, a) -> "AlgorithmInfo":
        return cls(name=a.name, description=a.description, action_kinds=tuple(a.action_kinds),
                   fields=tuple(ConfigField.from_proto(f) for f in a.fields),
                   presets=tuple(Preset.from_proto(p) for p in a.presets))

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def preset_names(self) -> list[str]:
        return [p.name for p in self.presets]

    @property
    def defaults(self) -> dict[str, Any]:
        """Every field's default value by name."""
        return {f.name: f.default for f in self.fields}

    def field(self, name: str) -> ConfigField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no config field {name!r}; fields: {', '.join(self.field_names)}")

    def preset(self, name: str) -> Preset:
        for p in self.presets:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no preset {name!r}; presets: {', '.join(self.preset_names)}")

    def describe(self) -> str:
        """Its description, a table of its fields (type, default, range, doc) and how each preset differs
        from the defaults."""
        lines = [f"{self.name}: {self.description}",
                 f"actions: {', '.join(self.action_kinds) or '-'}",
                 f"presets: {', '.join(self.preset_names) or '-'}", ""]
        rows = [[f.name, f.type, _show(f.default), f.range or ("one of " + ", ".join(f.choices) if f.choices else ""),
                 f.doc] for f in self.fields]
        lines.append(_table(["field", "type", "default", "allowed", "doc"], rows))
        defaults = self.defaults
        for i, p in enumerate(self.presets):
            order = {name: i for i, name in enumerate(defaults)}      # field order (wire maps have none)
            changed = {k: p.values[k] for k in sorted(p.values, key=lambda k: (order.get(k, len(order)), k))
                       if k not in defaults or not _same(p.values[k], defaults[k])}
            if i == 0:
                lines += ["", f"preset {p.name}: the defaults above"]
            else:
                lines.append(f"preset {p.name}: " + (", ".join(f"{k}={_show(v)}" for k, v in changed.items())
                                                     or "the defaults"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


class Algorithms(Sequence):
    """The server's algorithms (:meth:`AgentClient.algorithms`): a sequence of :class:`AlgorithmInfo` that is
    also indexed by name (``algorithms["sac"]``); ``print(algorithms)`` shows a table, :meth:`describe`
    every field of every algorithm."""

    def __init__(self, items=()):
        self._items = tuple(items)
        self._by_name = {a.name: a for a in self._items}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._by_name[key]
            except KeyError:
                raise KeyError(f"the server has no algorithm {key!r}; it has {', '.join(self.names)}") from None
        return self._items[key]

    def __contains__(self, key) -> bool:
        return key in self._by_name if isinstance(key, str) else key in self._items

    def __eq__(self, other) -> bool:
        return isinstance(other, Algorithms) and self._items == other._items

    __hash__ = None

    @property
    def names(self) -> list[str]:
        return [a.name for a in self._items]

    def __str__(self) -> str:
        rows = [[a.name, ", ".join(a.action_kinds), str(len(a.fields)), ", ".join(a.preset_names), a.description]
                for a in self._items]
        return (_table(["algorithm", "actions", "fields", "presets", "description"], rows)
                + '\n\nprint(client.algorithm("NAME")) shows its fields (type, default, allowed range, doc) and presets.')

    def __repr__(self) -> str:
        return f"Algorithms({self.names!r})"

    def describe(self) -> str:
        return "\n\n".join(a.describe() for a in self._items)


# --------------------------------------------------------------------------------------------- specs


def _enum_choice(enum_type, number: int) -> str:
    """The config choice a deprecated proto enum value stands for: ``INIT_DDPG_UNIFORM`` -> ``"ddpg_uniform"``
    (its name without the enum's prefix, lower case)."""
    name = enum_type.Name(int(number))
    prefix = "".join("_" + c if c.isupper() and i else c for i, c in enumerate(enum_type.DESCRIPTOR.name)).upper() + "_"
    return (name[len(prefix):] if name.startswith(prefix) else name).lower()


def _config_value(name: str, value: Any) -> "common_pb2.Value | None":
    """One config value on the wire, or None for "not set" (None, or a deprecated enum's UNSPECIFIED)."""
    if value is None:
        return None
    legacy = _LEGACY_ENUM_FIELDS.get(name)
    if legacy is not None and not isinstance(value, (bool, np.bool_)):
        if isinstance(value, (int, np.integer)):
            if int(value) == 0:
                return None
            value = _enum_choice(legacy, int(value))
        elif isinstance(value, str):
            value = _enum_choice(legacy, legacy.Value(value.upper())) if value.upper() in legacy.keys() else value
    if isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.size == 0:
            array = array.astype(np.int64)
        if array.ndim != 1 or array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"config {name!r}={value!r}: a list value must be a flat list of ints "
                            "(e.g. hidden_sizes=[64, 64])")
        return common_pb2.Value(tensor_value=numpy_to_tensor(array, dtype=np.int64))
    if isinstance(value, (bool, int, float, str, np.bool_, np.integer, np.floating)):
        return to_value(value, f"config {name!r}")
    raise TypeError(f"config {name!r}={value!r} ({type(value).__name__}): use a bool, int, float, str or a "
                    "list of ints")


def _flatten(mapping: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in mapping.items():
        name = prefix + str(key)
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out)
        elif value is not None:
            if name in out and not _same(out[name], value):
                raise ValueError(f"config field {name!r} is given twice: {out[name]!r} and {value!r}")
            out[name] = value


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b))) and np.shape(a) == np.shape(b)
    except Exception:  # noqa: BLE001 - incomparable values are different
        return False


def config_values(config: Mapping[str, Any] | None = None, **fields: Any) -> "dict[str, common_pb2.Value]":
    """``TrainingSpec.config_values`` for Python values by field name (the names :meth:`AgentClient.algorithms`
    lists): bool, int, float and str as such (enum choices as their names, e.g. ``advantage="gae"``), lists
    of ints as int64 tensors (``hidden_sizes=[64, 64]``). Nested dicts are flattened with dots
    (``{"augmentations": {"grokfast": True}}`` is ``"augmentations.grokfast"``); None means "not set"."""
    flat: dict[str, Any] = {}
    _flatten(config or {}, "", flat)
    _flatten(fields, "", flat)
    out = {}
    for name, value in flat.items():
        wire = _config_value(name, value)
        if wire is not None:
            out[name] = wire
    return out


def _typed_fields(message) -> dict[str, Any]:
    """The set fields of a message by name (repeated fields as lists, enums as their names)."""
    out = {}
    for descriptor, value in message.ListFields():
        if descriptor.enum_type is not None and isinstance(value, int):
            legacy = _LEGACY_ENUM_FIELDS.get(descriptor.name)
            value = _enum_choice(legacy, value) if legacy is not None else value
        elif not isinstance(value, (bool, int, float, str)):
            value = list(value)
        out[descriptor.name] = value
    return out


def spec_config(spec) -> dict[str, Any]:
    """The config values of a TrainingSpec (e.g. a job's resolved ``job.training``) as plain Python, by field
    name (lists of ints as lists, enum choices as names). A spec from an older server that only filled the
    deprecated typed message gives that message's set fields."""
    values = {name: _plain(from_value(v)) for name, v in spec.config_values.items()}
    kind = spec.WhichOneof("config")
    if kind is not None:
        for name, value in _typed_fields(getattr(spec, kind)).items():
            values.setdefault(name, value)
    for name, value in _typed_fields(spec.augmentations).items():
        values.setdefault(f"augmentations.{name}", value)
    return values


def modern_spec(spec) -> "agent_pb2.TrainingSpec":
    """A copy of a TrainingSpec with the deprecated ``algorithm`` enum and typed ``sac`` / ``ppo`` config
    turned into ``algorithm_name`` and ``config_values`` (values already in ``config_values`` win)."""
    out = agent_pb2.TrainingSpec()
    out.CopyFrom(spec)
    if not out.algorithm_name and out.algorithm:
        name = _LEGACY_ALGORITHMS.get(out.algorithm)
        if name is None:
            raise ValueError(f"TrainingSpec.algorithm={out.algorithm} is not an algorithm; set algorithm_name")
        out.algorithm_name = name
    out.ClearField("algorithm")
    kind = out.WhichOneof("config")
    if kind is not None:
        for name, value in config_values(_typed_fields(getattr(out, kind))).items():
            if name not in out.config_values:
                out.config_values[name].CopyFrom(value)
        out.ClearField(kind)
    return out


# --------------------------------------------------------------------------------------------- client


def _grad_diagnostics(value: Any) -> "agent_pb2.GradientDiagnostics":
    """``GradientDiagnostics`` from ``EVERY``, ``"EVERY[,M[,L]]"`` or a dict of its fields (the server checks ranges)."""
    if isinstance(value, Mapping):
        unknown = set(value) - {"every", "minibatches", "large_batch"}
        if unknown:
            raise ValueError(f"grad_diagnostics has no field(s) {sorted(unknown)}; use every, minibatches, large_batch")
        return agent_pb2.GradientDiagnostics(**{k: int(v) for k, v in value.items()})
    if isinstance(value, bool):
        raise ValueError(f"grad_diagnostics must be EVERY, 'EVERY[,M[,L]]' or a dict, got {value!r}")
    if isinstance(value, int):
        return agent_pb2.GradientDiagnostics(every=value)
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        if not 1 <= len(parts) <= 3 or not all(p.lstrip("-").isdigit() for p in parts):
            raise ValueError(f"grad_diagnostics must be 'EVERY[,M[,L]]' of integers, got {value!r}")
        names = ("every", "minibatches", "large_batch")
        return agent_pb2.GradientDiagnostics(**{names[i]: int(p) for i, p in enumerate(parts)})
    raise ValueError(f"grad_diagnostics must be EVERY, 'EVERY[,M[,L]]' or a dict, got {value!r}")


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

    def algorithms(self) -> Algorithms:
        """The algorithms the server can train, with their config fields (type, default, allowed range, doc)
        and presets. ``print(client.algorithms())`` shows a table; ``print(client.algorithms()["sac"])`` one
        algorithm's fields."""
        response = self._call("ListAlgorithms", agent_pb2.ListAlgorithmsRequest())
        return Algorithms(AlgorithmInfo.from_proto(a) for a in response.algorithms)

    def algorithm(self, name: str) -> AlgorithmInfo:
        """One algorithm of :meth:`algorithms` by name (KeyError listing the names otherwise)."""
        return self.algorithms()[name]

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
        abort_grad_norm: float | None = None,
        grad_diagnostics: "int | str | Mapping[str, int] | None" = None,
        **config_fields: Any,
    ) -> "agent_pb2.TrainingSpec":
        """A ``TrainingSpec``: ``algorithm_name`` and ``config_values`` (the deprecated typed messages are
        never set). Unset config fields take the preset's values on the server, which checks every value
        against the algorithm's schema (:class:`InvalidConfigError` names a bad field).

        ``algorithm`` is a name from :meth:`algorithms` ("ppo", "sac", "sac-continuous", "soft-ppo", ...).
        Config fields are given as keyword arguments (``gamma=0.98, hidden_sizes=[64]``) and/or in ``config``
        (also for names that are not identifiers, ``{"augmentations.grokfast_alpha": 0.9}``); see
        :func:`config_values` for the value types. ``grokfast``, ``grade``, ``grad_clip``, ``weight_decay``
        and ``augmentations`` (a dict) set the ``augmentations.<field>`` config fields. ``evaluation`` sets the
        ``EvaluationSchedule`` (``every_episodes``, ``every_steps``, ``episodes``, ``final_episodes``,
        ``deterministic``). Exactly one of ``steps`` and ``episodes`` is the budget.

        ``grad_diagnostics`` turns on the gradient-quality diagnostics of any algorithm (``gradq/*`` metrics,
        see ``GradientDiagnostics`` in agent.proto): ``25`` (every 25 updates), ``"25,8,16"``
        (``EVERY,M,L`` as the CLI's ``--grad-diagnostics``) or ``{"every": 25, "minibatches": 8,
        "large_batch": 16}``; unset = off.
        """
        if isinstance(algorithm, int) and not isinstance(algorithm, bool) and algorithm in _LEGACY_ALGORITHMS:
            algorithm = _LEGACY_ALGORITHMS[algorithm]       # the deprecated agent_pb2.ALGORITHM_* numbers
        if not isinstance(algorithm, str) or not algorithm.strip():
            raise ValueError(f"algorithm must be an algorithm's name such as 'sac' or 'ppo' "
                             f"(AgentClient.algorithms() lists them), got {algorithm!r}")
        if (steps is None) == (episodes is None):
            raise ValueError("give exactly one budget: steps=N or episodes=N")
        spec = agent_pb2.TrainingSpec(algorithm_name=algorithm.strip().lower(), env_id=env_id, seed=seed)
        if steps is not None:
            spec.total_steps = int(steps)
        else:
            spec.total_episodes = int(episodes)
        if preset:
            spec.preset = preset
        aug = dict(augmentations or {})
        for name, value in (("grokfast", grokfast), ("grade", grade), ("grad_clip", grad_clip),
                            ("weight_decay", weight_decay)):
            if value is not None:
                if name in aug and not _same(aug[name], value):
                    raise ValueError(f"{name} is given twice: {name}={value!r} and augmentations={aug!r}")
                aug[name] = value
        merged: dict[str, Any] = {}
        _flatten(config or {}, "", merged)
        _flatten(config_fields, "", merged)
        _flatten({"augmentations": aug}, "", merged)
        for name, value in config_values(merged).items():
            spec.config_values[name].CopyFrom(value)
        for name, value in (evaluation or {}).items():
            _set_field(spec.evaluation, name, value)
        for key, value in to_value_map(env_options, "env option").items():
            spec.env_options[key].CopyFrom(value)
        if checkpoint_every_steps is not None:
            spec.checkpoint_every_steps = int(checkpoint_every_steps)
        if abort_grad_norm is not None:
            spec.abort_grad_norm = float(abort_grad_norm)
        if grad_diagnostics is not None:
            spec.grad_diagnostics.CopyFrom(_grad_diagnostics(grad_diagnostics))
        return spec

    def train(self, algorithm: str, env_id: str, *, label: str | None = None, wait: bool = False,
              progress: bool = True, **spec_args) -> "agent_pb2.Job":
        """Starts a training job and returns it; with ``wait=True`` watches it to the end (progress bar unless
        ``progress=False``) and returns the finished job. The other arguments are :meth:`spec`'s, e.g.
        ``client.train("sac", "FourRooms-v0", seed=1, episodes=300, grokfast=True, hidden_sizes=[64])``."""
        request = agent_pb2.StartTrainingRequest(spec=self.spec(algorithm, env_id, **spec_args), label=label or "")
        job = self._call("StartTraining", request)
        return self.watch(job.job_id, progress=progress) if wait else job

    def benchmark(self, variants: Mapping[str, "agent_pb2.TrainingSpec | Mapping[str, Any]"], seeds: Sequence[int],
                  *, score: str = "final", last_episodes: int = 100, label: str | None = None) -> "agent_pb2.Job":
        """Starts a benchmark: every variant with every seed; the finished job's ``benchmark_result`` has the
        mean and 95% confidence interval per variant. A variant is a :meth:`spec` or a dict of its arguments
        (``{"algorithm": "sac", "env_id": "FourRooms-v0", "episodes": 300, "grokfast": True}``); a spec built
        with the deprecated ``algorithm`` enum and typed config is sent as ``algorithm_name`` and
        ``config_values``."""
        if score not in _SCORES:
            raise ValueError(f"score must be one of {sorted(_SCORES)}, got {score!r}")
        specs = {name: self.spec(**v) if isinstance(v, Mapping) else modern_spec(v) for name, v in variants.items()}
        request = agent_pb2.RunBenchmarkRequest(
            variants=[agent_pb2.BenchmarkVariant(name=name, spec=spec) for name, spec in specs.items()],
            seeds=list(seeds), score=_SCORES[score], last_episodes=last_episodes, label=label or "",
        )
        return self._call("RunBenchmark", request)

    # ---------------------------------------------------------------- jobs

    def get_job(self, job_id: str) -> "agent_pb2.Job":
        return self._call("GetJob", agent_pb2.GetJobRequest(job_id=job_id))

    def list_jobs(self, state: int | str = agent_pb2.JOB_STATE_UNSPECIFIED, limit: int = 0) -> list:
        """Jobs, newest first; ``state`` by name (``"running"``) or ``agent_pb2.JOB_STATE_*``; ``limit`` 0 = all.
        :func:`describe_job` prints one."""
        if isinstance(state, str):
            names = {state_name(v).lower(): v for v in agent_pb2.JobState.values()}
            if state.lower() not in names:
                raise ValueError(f"state must be one of {', '.join(names)}, got {state!r}")
            state = names[state.lower()]
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
                    bar.set_description(f"{job_id} {state_name(event.state.state).lower()}")
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
                raise TimeoutError(f"job {job_id} still {state_name(job.state)} after {timeout} s")
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
        """``(actions, probabilities)`` of a stored model for a batch of observations (float32 [batch,
        obs_dim]; one observation without the batch axis is a batch of one).

        Discrete actions: int64 actions [batch] and float32 probabilities [batch, n]. Continuous actions (a
        Box, e.g. "sac-continuous"): float32 actions [batch, action_dim] (greedy: tanh of the mean, in the
        action bounds) and ``None`` for the probabilities."""
        obs = np.asarray(observations, dtype=np.float32)
        response = self._call("Act", agent_pb2.ActRequest(model_id=model_id, observations=numpy_to_tensor(obs),
                                                          deterministic=deterministic, seed=seed))
        probabilities = tensor_to_numpy(response.probabilities) if response.HasField("probabilities") else None
        return tensor_to_numpy(response.actions), probabilities

    def list_models(self, env_id: str = "") -> list:
        return list(self._call("ListModels", agent_pb2.ListModelsRequest(env_id=env_id)).models)

    def download_model(self, model_id: str, path: str | Path | None = None, *, format: str = "gymrpc"):
        """Downloads a model file: ``format="gymrpc"`` (default) is the gymrpc model zip (loads with the
        agents module's ``Policy.load``), ``format="dl4j"`` a deeplearning4j ``MultiLayerNetwork`` zip of the
        actor that runs with plain DL4J (:class:`UnsupportedFormatError` if the server cannot export it). The
        file's size and SHA-256 are checked against the ModelInfo sent with it (for an export, the server
        gives the exported file's). Writes the file to ``path`` (atomically) when given and returns
        ``(info, path)``, else returns ``(info, bytes)``."""
        wanted = _FORMATS.get(str(format).lower())
        if wanted is None:
            raise ValueError(f"format must be one of {', '.join(_FORMATS)}, got {format!r}")
        info, parts, size, total = None, [], 0, None
        try:
            request = agent_pb2.GetModelRequest(model_id=model_id, format=wanted)
            for chunk in self.stub.GetModel(request, metadata=self._metadata):
                if chunk.HasField("info"):
                    info = chunk.info
                if total is None:
                    total = chunk.total_bytes
                if chunk.offset != size:
                    raise ServerError(f"model download of {model_id}: chunk at offset {chunk.offset}, expected {size}")
                parts.append(chunk.data)
                size += len(chunk.data)
        except grpc.RpcError as exc:
            raise _translate(exc, self.address) from None
        data = b"".join(parts)
        ok = info is not None and len(data) == info.size_bytes and hashlib.sha256(data).hexdigest() == info.sha256
        if not ok or (total and len(data) != total):
            raise ServerError(f"model download of {model_id} ({format}) is incomplete or corrupt ({len(data)} bytes)")
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

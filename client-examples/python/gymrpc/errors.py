"""Exceptions raised by the gymrpc client.

Every error the server reports becomes a :class:`ServerError` carrying the server's message, the gRPC status
code and the server's machine-readable ``reason`` (env.proto lists them). Subclasses also derive from the
built-in or Gymnasium exception a caller would catch for the same problem with a local environment, e.g.
``except ValueError`` catches an out-of-space action and ``except gymnasium.error.ResetNeeded`` catches a step
before reset.
"""

from __future__ import annotations

from typing import Mapping

import grpc
from gymnasium import error as gym_error

#: Trailer names the server sets on unary errors (see common.proto, message Status).
REASON_TRAILER = "gymrpc-error-reason"
OPTION_TRAILER = "gymrpc-error-option"


class ServerError(Exception):
    """An error reported by (or about) the gymrpc server.

    Attributes:
        message: the server's message, which says what went wrong and what to do.
        code: the gRPC status code.
        reason: the server's UPPER_SNAKE_CASE cause (e.g. ``INVALID_ACTION``), or ``""``.
        metadata: extra facts, e.g. ``{"option": "enable_wind"}``.
    """

    def __init__(
        self,
        message: str,
        code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        reason: str = "",
        metadata: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason
        self.metadata = dict(metadata or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code.name}, reason={self.reason!r})"


class ServerUnavailableError(ServerError, ConnectionError):
    """No server answers at the address, or the connection was lost."""


class ServerTimeoutError(ServerError, TimeoutError):
    """A call ran past its deadline."""


class ProtocolError(ServerError):
    """The server speaks an incompatible protocol version or sent a message the client cannot use."""


class UnknownEnvError(ServerError, gym_error.UnregisteredEnv):
    """The environment id is not registered on the server; the message lists the valid ids."""


class InvalidArgumentError(ServerError, ValueError):
    """The server rejected a request argument."""


class InvalidOptionError(InvalidArgumentError):
    """A make or reset option is unknown or has a bad value. ``option`` names it."""

    @property
    def option(self) -> str | None:
        return self.metadata.get("option")


class InvalidActionError(InvalidArgumentError, gym_error.InvalidAction):
    """The action is outside the action space, has the wrong shape or dtype, or is NaN."""


class ResetNeededError(ServerError, gym_error.ResetNeeded):
    """Step before the first reset, or after the episode ended without a reset."""


class UnknownHandleError(ServerError, gym_error.ClosedEnvironmentError):
    """The environment was closed, or reclaimed by the server after its idle timeout."""


class ResourceExhaustedError(ServerError):
    """The server's session limit or message size limit was reached."""


class PermissionDeniedError(ServerError, PermissionError):
    """The server requires a (different) access token."""


class InternalServerError(ServerError):
    """The server failed unexpectedly; its log has the details."""


_BY_REASON: dict[str, type[ServerError]] = {
    "UNKNOWN_ENV": UnknownEnvError,
    "INVALID_OPTION": InvalidOptionError,
    "INVALID_ACTION": InvalidActionError,
    "RESET_NEEDED": ResetNeededError,
    "UNKNOWN_HANDLE": UnknownHandleError,
    "WRONG_HANDLE_KIND": InvalidArgumentError,
    "INVALID_REQUEST": InvalidArgumentError,
    "SESSION_LIMIT": ResourceExhaustedError,
    "INTERNAL": InternalServerError,
}

_BY_CODE: dict[grpc.StatusCode, type[ServerError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.OUT_OF_RANGE: InvalidArgumentError,
    grpc.StatusCode.FAILED_PRECONDITION: ResetNeededError,
    grpc.StatusCode.NOT_FOUND: ServerError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: ServerUnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: ServerTimeoutError,
    grpc.StatusCode.UNAUTHENTICATED: PermissionDeniedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.INTERNAL: InternalServerError,
    grpc.StatusCode.UNKNOWN: InternalServerError,
    grpc.StatusCode.UNIMPLEMENTED: ProtocolError,
}

_CODE_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def make_error(code: grpc.StatusCode, message: str, reason: str = "", metadata: Mapping[str, str] | None = None):
    """The exception for a server error: chosen by the precise ``reason`` first, then by the status code."""
    cls = _BY_REASON.get(reason) or _BY_CODE.get(code, ServerError)
    return cls(message or f"gymrpc server error {code.name}", code, reason, metadata)


def from_rpc_error(exc: grpc.RpcError, address: str | None = None) -> ServerError:
    """Translates a failed unary call (or a broken stream) into a :class:`ServerError`."""
    code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
    message = exc.details() if hasattr(exc, "details") else str(exc)
    trailers = exc.trailing_metadata() if hasattr(exc, "trailing_metadata") else ()
    return from_call_status(code, message, trailers, address)


def from_call_status(
    code: grpc.StatusCode, message: str | None, trailers=(), address: str | None = None
) -> ServerError:
    """Translates the final status of a failed call (code, details, trailing metadata) into a :class:`ServerError`."""
    strings = {key: value for key, value in (trailers or ()) if isinstance(value, str)}
    reason = strings.get(REASON_TRAILER, "")
    metadata = {}
    if OPTION_TRAILER in strings:
        metadata["option"] = strings[OPTION_TRAILER]
    if code == grpc.StatusCode.UNAVAILABLE and address:
        message = f"lost the gymrpc server at {address}: {message}"
    return make_error(code, message or "", reason, metadata)


def status_code(number: int) -> grpc.StatusCode:
    """The :class:`grpc.StatusCode` of a numeric gRPC status (UNKNOWN for numbers gRPC does not define)."""
    return _CODE_BY_NUMBER.get(number, grpc.StatusCode.UNKNOWN)


def from_status(status) -> ServerError:
    """Translates a ``gymrpc.v1.Status`` (a failed request inside a Session stream)."""
    return make_error(status_code(status.code), status.message, status.reason, dict(status.metadata))

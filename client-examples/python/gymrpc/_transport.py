"""Connections to a gymrpc server and the two ways of sending requests over one.

* :class:`UnaryTransport` -- one unary rpc per verb (``EnvService.Step`` ...), each with a deadline.
* :class:`SessionTransport` -- one bidirectional ``EnvService.Session`` stream carrying every verb; exactly
  one response per request, in order (env.proto). It saves the per-call setup of a unary rpc, and allows
  pipelining: :meth:`SessionTransport.send` several requests, then :meth:`SessionTransport.receive` the
  answers. Environments made on a stream are closed by the server when the stream ends.

Both expose ``call(verb, request) -> response`` where ``verb`` is the SessionRequest field name
(``"make_env"``, ``"reset"``, ``"step"`` ...), and raise :mod:`gymrpc.errors` exceptions.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections import deque
from dataclasses import dataclass

import grpc

from gymrpc._pb import env_pb2, env_pb2_grpc
from gymrpc.errors import (
    ProtocolError,
    ServerError,
    ServerUnavailableError,
    from_rpc_error,
    from_status,
)

#: Where clients connect when no address is given; ``GYMRPC_ADDRESS`` overrides it.
DEFAULT_ADDRESS = "localhost:50051"
#: The protocol this client speaks (env.proto: GetServerInfoResponse.protocol_version).
PROTOCOL_MAJOR = 1
PROTOCOL_VERSION = "1.0"
#: Seconds to wait for a server to answer the first call (covers a server that is still starting).
DEFAULT_CONNECT_TIMEOUT = 10.0
#: Deadline of every unary call, in seconds. Generous: a call only takes this long if the server is stuck.
DEFAULT_CALL_TIMEOUT = 60.0
#: Responses can carry rendered frames and large batches; the server's own inbound limit is separate.
_MAX_RECEIVE_BYTES = 64 * 1024 * 1024

_UNARY_METHODS = {
    "get_server_info": "GetServerInfo",
    "list_envs": "ListEnvs",
    "make_env": "MakeEnv",
    "reset": "Reset",
    "step": "Step",
    "render": "Render",
    "close_env": "CloseEnv",
    "make_vector_env": "MakeVectorEnv",
    "vector_reset": "VectorReset",
    "vector_step": "VectorStep",
}


def resolve_address(address: str | None) -> str:
    """``address``, else ``$GYMRPC_ADDRESS``, else :data:`DEFAULT_ADDRESS`."""
    return address or os.environ.get("GYMRPC_ADDRESS") or DEFAULT_ADDRESS


@dataclass(frozen=True)
class ServerInfo:
    """What the server said about itself (GetServerInfoResponse)."""

    protocol_version: str
    server_version: str
    capabilities: tuple[str, ...]
    max_message_bytes: int
    max_sessions: int
    idle_timeout_ms: int
    max_vector_envs: int


class Connection:
    """A channel to one server, checked with GetServerInfo before use.

    The first call waits for the server (``wait_for_ready``) up to ``connect_timeout`` seconds, so a
    server that is still starting is fine and a missing one fails fast with a message saying how to
    start one, instead of an opaque UNAVAILABLE at the first step.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT,
    ):
        self.address = resolve_address(address)
        self.call_timeout = call_timeout
        self.channel = grpc.insecure_channel(
            self.address,
            options=[
                ("grpc.max_receive_message_length", _MAX_RECEIVE_BYTES),
                # A proxy configured for the web must not capture loopback gRPC traffic.
                ("grpc.enable_http_proxy", 0),
            ],
        )
        self.stub = env_pb2_grpc.EnvServiceStub(self.channel)
        try:
            response = self.stub.GetServerInfo(
                env_pb2.GetServerInfoRequest(client_protocol_version=PROTOCOL_VERSION),
                timeout=connect_timeout,
                wait_for_ready=True,
            )
        except grpc.RpcError as exc:
            self.channel.close()
            if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise ServerUnavailableError(
                    f"no gymrpc server at {self.address} (no answer within {connect_timeout:g} s) -- start one "
                    f"with `./gymrpc serve --port {self.address.rsplit(':', 1)[-1]}` from the gymrpc "
                    "repository, or pass address=HOST:PORT (or set GYMRPC_ADDRESS)",
                    exc.code(),
                ) from None
            raise from_rpc_error(exc, self.address) from None
        if response.protocol_major != PROTOCOL_MAJOR:
            self.channel.close()
            raise ProtocolError(
                f"the server at {self.address} speaks gymrpc protocol {response.protocol_version}, this client "
                f"speaks {PROTOCOL_VERSION}: install the gymrpc Python package from the same version as the server"
            )
        self.info = ServerInfo(
            protocol_version=response.protocol_version,
            server_version=response.server_version,
            capabilities=tuple(response.capabilities),
            max_message_bytes=response.max_message_bytes,
            max_sessions=response.max_sessions,
            idle_timeout_ms=response.idle_timeout_ms,
            max_vector_envs=response.max_vector_envs,
        )

    def unary(self) -> "UnaryTransport":
        return UnaryTransport(self)

    def session(self) -> "SessionTransport":
        return SessionTransport(self)

    def close(self) -> None:
        self.channel.close()


class UnaryTransport:
    """Sends each request as its own unary rpc."""

    streaming = False

    def __init__(self, connection: Connection):
        self._connection = connection
        self._timeout = connection.call_timeout
        self._methods = {verb: getattr(connection.stub, name) for verb, name in _UNARY_METHODS.items()}

    def call(self, verb: str, request):
        try:
            return self._methods[verb](request, timeout=self._timeout)
        except grpc.RpcError as exc:
            raise from_rpc_error(exc, self._connection.address) from None

    def close(self) -> None:
        pass


_END = object()


class SessionTransport:
    """Sends requests on one ``Session`` stream; responses come back one per request, in order.

    gRPC's synchronous API reads the request iterator on its own thread; requests are handed to it
    through a queue, and responses are read from the response iterator on the caller's thread. One
    transport must be used by one thread at a time (as a Gymnasium env is).
    """

    streaming = True

    def __init__(self, connection: Connection):
        self._connection = connection
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._ids = itertools.count(1)
        self._pending: deque[str] = deque()  # verbs sent and not yet received, oldest first
        self._closed = False
        self._lock = threading.Lock()
        self._responses = connection.stub.Session(iter(self._requests.get, _END))

    def send(self, verb: str, request) -> int:
        """Queues one request without waiting for its response; returns its request id."""
        if self._closed:
            raise ServerError("this gymrpc session stream is closed")
        request_id = next(self._ids)
        message = env_pb2.SessionRequest(request_id=request_id)
        getattr(message, verb).CopyFrom(request)
        self._pending.append(verb)
        self._requests.put(message)
        return request_id

    def receive(self):
        """The response to the oldest request sent and not yet received (raises its error, if any)."""
        verb = self._pending.popleft()
        try:
            response = next(self._responses)
        except grpc.RpcError as exc:
            self._closed = True
            if exc.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE):
                # We only cancel on close(), so this is the server going away (shutdown, restart, network).
                raise ServerUnavailableError(
                    f"lost the session stream to the gymrpc server at {self._connection.address} "
                    f"({exc.code().name}: {exc.details()}); the server stopped or restarted, and the "
                    "environments on this stream are gone: make a new env",
                    exc.code(),
                ) from None
            raise from_rpc_error(exc, self._connection.address) from None
        except StopIteration:
            self._closed = True
            raise ServerUnavailableError(
                f"the gymrpc server at {self._connection.address} ended the session stream"
            ) from None
        kind = response.WhichOneof("response")
        if kind == "error":
            raise from_status(response.error)
        if kind != verb:
            raise ProtocolError(f"the server answered a {verb!r} request with {kind!r}")
        return getattr(response, kind)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def call(self, verb: str, request):
        self.send(verb, request)
        return self.receive()

    def close(self, timeout: float = 5.0) -> None:
        """Half-closes the stream (the server then closes the stream's environments).

        Waits up to ``timeout`` seconds for the server to finish the stream, then cancels it.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        finished = threading.Event()
        self._responses.add_done_callback(lambda _call: finished.set())
        self._requests.put(_END)
        try:
            while self._pending:  # answers to pipelined requests nobody collected
                self._pending.popleft()
                next(self._responses)
        except (grpc.RpcError, StopIteration):
            pass
        if not finished.wait(timeout):
            self._responses.cancel()

"""Connections to a gymrpc server and the two ways of sending requests over one.

* :class:`UnaryTransport` -- one unary rpc per verb (``EnvService.Step`` ...), each with a deadline.
* :class:`SessionTransport` -- one bidirectional ``EnvService.Session`` stream carrying every verb; exactly
  one response per request, in order (env.proto). It saves the per-call setup of a unary rpc, and allows
  pipelining: :meth:`SessionTransport.send` several requests, then :meth:`SessionTransport.receive` the
  answers. Environments made on a stream are closed by the server when the stream ends. By default the
  stream runs on the caller's thread (:class:`_DirectStream`); :class:`_ThreadedStream` is the fallback on
  grpcio's public API.

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
    from_call_status,
    from_rpc_error,
    from_status,
    status_code,
)

#: Where clients connect when no address is given; ``GYMRPC_ADDRESS`` overrides it.
DEFAULT_ADDRESS = "localhost:50051"
#: The protocol this client speaks (env.proto: GetServerInfoResponse.protocol_version).
PROTOCOL_MAJOR = 1
PROTOCOL_VERSION = "1.1"
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

    def session(self, *, direct: bool | None = None) -> "SessionTransport":
        return SessionTransport(self, direct=direct)

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


class SessionTransport:
    """Sends requests on one ``Session`` stream; responses come back one per request, in order.

    Each response is checked against the oldest request still unanswered (same request id, same verb);
    a per-request error inside the stream raises its :mod:`gymrpc.errors` exception and leaves the stream
    usable; losing the stream raises :class:`ServerUnavailableError` and closes the transport. An exception
    that interrupts a wait for the server (Ctrl-C) cancels the stream, so its envs are gone; later calls
    say so. One transport must be used by one thread at a time, ``close()`` included (as a Gymnasium env is).

    The stream is driven by one of two drivers (``direct``: ``None`` = the fastest available):

    * :class:`_DirectStream` runs the call on the caller's thread: no other Python thread takes part in a
      step, which cuts a closed-loop LunarLander step from a median ~250-270 us to ~160 us on loopback
      (bench/bench_client.py, idle 2-core machine). It uses grpcio's ``SegregatedCall``, the internal
      machinery behind grpcio's own blocking unary calls, so it is feature-detected and
      ``GYMRPC_DIRECT_STREAM=0`` turns it off;
    * :class:`_ThreadedStream` uses only grpcio's public API: grpcio reads the request iterator on its own
      thread (requests are handed over through a queue) and delivers responses through its channel thread.
    """

    streaming = True

    def __init__(self, connection: Connection, *, direct: bool | None = None):
        self._connection = connection
        self._ids = itertools.count(1)
        self._pending: deque[tuple[int, str]] = deque()  # (request id, verb) sent and not yet received
        self._closed = False
        self._closed_why = ""
        self._lock = threading.Lock()
        self._stream = open_stream(connection.channel, direct)

    @property
    def driver(self) -> str:
        """``"direct"`` (the call runs on the caller's thread) or ``"threaded"`` (grpcio's public API)."""
        return self._stream.name

    def send(self, verb: str, request) -> int:
        """Queues one request without waiting for its response; returns its request id."""
        if self._closed:
            raise ServerError(f"this gymrpc session stream is closed{self._closed_why}; make a new env")
        request_id, message = self._message(verb, request)
        try:
            self._stream.write(message)
        except _StreamEnded as ended:
            raise self._lost(ended) from None
        except BaseException:
            self._abandon()
            raise
        self._pending.append((request_id, verb))
        return request_id

    def receive(self):
        """The response to the oldest request sent and not yet received (raises its error, if any)."""
        if not self._pending:
            raise ServerError("receive() without a request in flight: send() one first")
        request_id, verb = self._pending.popleft()
        try:
            response = self._stream.read()
        except _StreamEnded as ended:
            raise self._lost(ended) from None
        except BaseException:
            self._abandon()
            raise
        return _unpack(response, request_id, verb)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def call(self, verb: str, request):
        """Sends one request and returns its response (raises its error, if any)."""
        if self._pending or self._closed:
            self.send(verb, request)
            return self.receive()
        # Nothing in flight: send and receive as one round trip (one batch on the direct driver).
        request_id, message = self._message(verb, request)
        try:
            response = self._stream.round_trip(message)
        except _StreamEnded as ended:
            raise self._lost(ended) from None
        except BaseException:
            self._abandon()
            raise
        return _unpack(response, request_id, verb)

    def close(self, timeout: float = 5.0) -> None:
        """Half-closes the stream (the server then closes the stream's environments).

        Collects the answers to pipelined requests nobody received, and waits up to ``timeout`` seconds
        for the server to finish the stream, then cancels it.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        stream = self._stream
        timer = threading.Timer(timeout, stream.cancel)
        timer.daemon = True
        timer.start()
        try:
            stream.half_close()
            while self._pending:
                self._pending.popleft()
                stream.read()
            stream.wait_end()
        except _StreamEnded:
            pass
        finally:
            timer.cancel()
            self._pending.clear()

    def _message(self, verb: str, request) -> tuple[int, env_pb2.SessionRequest]:
        request_id = next(self._ids)
        message = env_pb2.SessionRequest(request_id=request_id)
        getattr(message, verb).CopyFrom(request)
        return request_id, message

    def _abandon(self) -> None:
        """Ends the stream after an exception (e.g. KeyboardInterrupt) interrupted a wait for the server.

        The interrupted request's response may still arrive, and where the exception struck inside the
        driver is unknown, so the stream cannot be trusted to stay in step: it is cancelled (the server
        closes its envs) and later calls say so, rather than hand out another request's response.
        """
        self._closed = True
        self._closed_why = (
            " (a call on it was interrupted while waiting for the server, so it was cancelled and the server "
            "closed its environments)"
        )
        self._pending.clear()
        try:
            self._stream.abandon()
        except BaseException:  # a second interrupt, or the call already gone: nothing more to free
            pass

    def _lost(self, ended: "_StreamEnded") -> ServerError:
        """The error for a stream that ended under a caller; the transport is closed from here on."""
        self._closed = True
        self._pending.clear()
        self._stream.cancel()  # a no-op on an ended call, but it lets grpcio's request thread go
        address = self._connection.address
        if ended.code is None:
            return ServerError(
                f"the session stream to the gymrpc server at {address} was interrupted ({ended.details}); "
                "the environments on it are gone: make a new env"
            )
        if ended.code in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE):
            # We only cancel on close(), so this is the server going away (shutdown, restart, network).
            return ServerUnavailableError(
                f"lost the session stream to the gymrpc server at {address} ({ended.code.name}: "
                f"{ended.details}); the server stopped or restarted, and the environments on this stream "
                "are gone: make a new env",
                ended.code,
            )
        if ended.code == grpc.StatusCode.OK:
            return ServerUnavailableError(f"the gymrpc server at {address} ended the session stream")
        return from_call_status(ended.code, ended.details, ended.trailers, address)


def _unpack(response, request_id: int, verb: str):
    """The result inside a SessionResponse, after checking it answers (``request_id``, ``verb``)."""
    kind = response.WhichOneof("response")
    if response.request_id != request_id:
        raise ProtocolError(
            f"the server answered request {response.request_id} where request {request_id} ({verb}) was due"
        )
    if kind == "error":
        raise from_status(response.error)
    if kind != verb:
        raise ProtocolError(f"the server answered a {verb!r} request with {kind!r}")
    return getattr(response, kind)


# ------------------------------------------------------------------------------------------ stream drivers

_SESSION_METHOD = "/gymrpc.v1.EnvService/Session"


class _StreamEnded(Exception):
    """The Session call has ended: its final status (``code`` None = torn down locally, e.g. by Ctrl-C)."""

    def __init__(self, code: grpc.StatusCode | None, details: str, trailers=()):
        super().__init__(details)
        self.code = code
        self.details = details
        self.trailers = trailers


def direct_stream_supported(channel: grpc.Channel) -> bool:
    """Whether this grpcio offers what :class:`_DirectStream` needs (checked, never assumed)."""
    return _cygrpc() is not None and callable(getattr(getattr(channel, "_channel", None), "segregated_call", None))


def open_stream(channel: grpc.Channel, direct: bool | None = None):
    """A started Session call: the direct driver when asked for or available, else the threaded one.

    ``direct=None`` picks the direct driver when grpcio supports it and ``GYMRPC_DIRECT_STREAM`` is not
    ``0``; ``direct=True`` insists (ValueError when unsupported); ``direct=False`` takes the public path.
    """
    if direct is None:
        direct = os.environ.get("GYMRPC_DIRECT_STREAM", "1").lower() not in ("0", "false", "no")
        if direct and direct_stream_supported(channel):
            try:
                return _DirectStream(channel)
            except (AttributeError, TypeError):  # grpcio changed its internals: keep to the public path
                pass
        return _ThreadedStream(channel)
    if direct:
        if not direct_stream_supported(channel):
            raise ValueError("this grpcio has no SegregatedCall; use direct=False (the public streaming API)")
        return _DirectStream(channel)
    return _ThreadedStream(channel)


def _cygrpc():
    try:
        from grpc._cython import cygrpc
    except ImportError:  # pragma: no cover - every grpcio wheel has it
        return None
    needed = (
        "SendInitialMetadataOperation", "SendMessageOperation", "SendCloseFromClientOperation",
        "ReceiveInitialMetadataOperation", "ReceiveMessageOperation", "ReceiveStatusOnClientOperation",
        "PropagationConstants", "StatusCode",
    )
    return cygrpc if all(hasattr(cygrpc, name) for name in needed) else None


class _ThreadedStream:
    """The Session call through grpcio's public synchronous API.

    grpcio reads the request iterator on a thread of its own, so requests are handed to it through a
    queue; responses are read from the response iterator on the caller's thread (grpcio's channel thread
    delivers them). Each step therefore crosses threads twice, under the GIL.
    """

    name = "threaded"
    _END = object()

    def __init__(self, channel: grpc.Channel):
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._responses = channel.stream_stream(
            _SESSION_METHOD,
            request_serializer=env_pb2.SessionRequest.SerializeToString,
            response_deserializer=env_pb2.SessionResponse.FromString,
        )(iter(self._requests.get, self._END))

    def write(self, message) -> None:
        self._requests.put(message)

    def read(self):
        try:
            return next(self._responses)
        except grpc.RpcError as exc:
            raise _StreamEnded(exc.code(), exc.details() or "", exc.trailing_metadata() or ()) from None
        except StopIteration:
            raise _StreamEnded(grpc.StatusCode.OK, "the server ended the stream") from None

    def round_trip(self, message):
        self._requests.put(message)
        return self.read()

    def half_close(self) -> None:
        self._requests.put(self._END)

    def wait_end(self) -> None:
        """Reads until the server finishes the stream (after :meth:`half_close`)."""
        while True:
            try:
                next(self._responses)
            except (grpc.RpcError, StopIteration):
                return

    def cancel(self) -> None:
        self._requests.put(self._END)  # grpcio's request-reading thread waits in our queue: let it end
        self._responses.cancel()

    def abandon(self) -> None:
        """Cancels the call after an exception interrupted the caller inside grpcio.

        grpcio's streaming objects guard their state with Python locks, and an exception raised in the middle
        of them can leave one held (seen: about 1 in 50 SIGALRM interrupts, then ``cancel()`` waited forever).
        So the cancel runs on a daemon thread, and the caller gets its exception back at once.
        """
        threading.Thread(target=self.cancel, name="gymrpc-stream-cancel", daemon=True).start()


# Tags of the direct driver's batches (the completion queue hands them back with each event).
_INITIAL, _STATUS, _SEND, _RECEIVE, _ROUND_TRIP, _HALF_CLOSE, _PROBE = range(7)
_NOTHING = object()


class _DirectStream:
    """The Session call driven on the caller's thread, as grpcio drives its own blocking unary calls.

    grpcio's ``SegregatedCall`` gives the call a completion queue of its own; the caller starts batches of
    operations (send a message, receive a message) and waits for their completion events itself, so no
    other Python thread (and no GIL hand-off) takes part in a step. gRPC core allows one send and one
    receive in flight per call: a send waits for the previous send's completion, which is what lets
    :meth:`SessionTransport.send` pipeline requests. The call's final status is received by an operation
    started with the call, so a server that goes away completes every pending operation.
    """

    name = "direct"

    def __init__(self, channel: grpc.Channel):
        cygrpc = _cygrpc()
        self._cygrpc = cygrpc
        self._serialize = env_pb2.SessionRequest.SerializeToString
        self._deserialize = env_pb2.SessionResponse.FromString
        self._send_message = cygrpc.SendMessageOperation
        self._receive_message = cygrpc.ReceiveMessageOperation
        self._call = channel._channel.segregated_call(
            cygrpc.PropagationConstants.GRPC_PROPAGATE_DEFAULTS,
            _SESSION_METHOD.encode(),
            None,  # host
            None,  # deadline: the stream lives as long as its environments
            None,  # metadata
            None,  # call credentials
            (
                ((cygrpc.SendInitialMetadataOperation(None, 0),), _INITIAL),
                ((cygrpc.ReceiveInitialMetadataOperation(0),), _INITIAL),
                ((cygrpc.ReceiveStatusOnClientOperation(0),), _STATUS),
            ),
            None,  # census context
            None,  # registered call handle
        )
        self._sending = False  # a send batch is in flight
        self._received = _NOTHING  # the bytes of the last completed receive (None: the stream ended)
        self._status = None  # _StreamEnded once the call's status arrived

    def _next_event(self) -> None:
        try:
            event = self._call.next_event()
        except BaseException as exc:  # Ctrl-C while waiting: grpcio has torn the call down
            self._status = _StreamEnded(None, f"{type(exc).__name__} while waiting for the server")
            raise
        tag = event.tag
        if tag == _ROUND_TRIP:
            self._sending = False
            self._received = event.batch_operations[1].message()
        elif tag == _RECEIVE:
            self._received = event.batch_operations[0].message()
        elif tag == _SEND:
            self._sending = False
        elif tag == _STATUS:
            op = event.batch_operations[0]
            details = op.details()
            if isinstance(details, bytes):
                details = details.decode("utf-8", "replace")
            self._status = _StreamEnded(status_code(op.code()), details or "", op.trailing_metadata() or ())

    def _operate(self, operations, tag) -> None:
        if self._status is not None or not self._call.operate(operations, tag):
            self._raise_end()

    def _raise_end(self):
        while self._status is None:
            self._next_event()
        raise self._status

    def _await_message(self):
        while self._received is _NOTHING:
            self._next_event()
        data, self._received = self._received, _NOTHING
        if data is None:  # no message: the call has ended
            self._raise_end()
        return self._deserialize(data)

    def write(self, message) -> None:
        while self._sending:
            self._next_event()
        self._operate((self._send_message(self._serialize(message), 0),), _SEND)
        self._sending = True

    def read(self):
        self._operate((self._receive_message(0),), _RECEIVE)
        return self._await_message()

    def round_trip(self, message):
        if self._sending:
            self.write(message)
            return self.read()
        self._operate((self._send_message(self._serialize(message), 0), self._receive_message(0)), _ROUND_TRIP)
        self._sending = True
        return self._await_message()

    def half_close(self) -> None:
        while self._sending:
            self._next_event()
        self._operate((self._cygrpc.SendCloseFromClientOperation(0),), _HALF_CLOSE)

    def wait_end(self) -> None:
        while self._status is None:
            self._next_event()

    def cancel(self) -> None:
        """Cancels the call; safe from any thread, and a no-op once the call has ended."""
        self._call.cancel(self._cygrpc.StatusCode.cancelled, "cancelled by the gymrpc client")

    def abandon(self) -> None:
        """Cancels the call after an exception interrupted the caller, and collects its last events.

        The exception may have struck just after gRPC core handed over an event, so the driver's record of
        what is in flight cannot be trusted; cancelling completes every pending operation, and the status
        event frees the call and its completion queue.
        """
        self.cancel()
        if self._status is None or self._status.code is None:
            # Unknown whether grpcio tore the call down (it does when a signal handler raises inside its
            # wait) or the exception came after an event was handed over. An empty batch tells: it starts
            # only on a live call, and then the call's remaining events, status last, must be collected.
            self._status = None
            if self._call.operate((), _PROBE):
                self.wait_end()
            else:
                self._status = _StreamEnded(None, "interrupted")

    def __del__(self):
        # A stream dropped without close(): cancel it and collect its events, so the call and its
        # completion queue are freed (the server then closes the stream's environments).
        if getattr(self, "_status", _NOTHING) is None:
            try:
                self.cancel()
                self.wait_end()
            except BaseException:
                pass

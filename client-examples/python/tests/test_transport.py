"""The Session stream transport, on both of its drivers: the direct one (grpcio's SegregatedCall on the
caller's thread) and the threaded one (grpcio's public streaming API).

Each test runs on both, so the fallback path stays as tested as the fast one: exactly one response per
request and in order, per-request errors that leave the stream usable, pipelining, close semantics (the
server closes the stream's environments), and a clean error when the server goes away.
"""

from __future__ import annotations

import gc
import time

import grpc
import pytest

import gymrpc
from gymrpc._pb import common_pb2, env_pb2
from gymrpc._transport import Connection, SessionTransport, direct_stream_supported, open_stream

DRIVERS = [pytest.param(True, id="direct"), pytest.param(False, id="threaded")]


@pytest.fixture
def connection(server_address):
    connection = Connection(server_address)
    yield connection
    connection.close()


def _step(handle: str, action: int) -> env_pb2.StepRequest:
    return env_pb2.StepRequest(handle=handle, action=common_pb2.Tensor(int64s=common_pb2.Int64Array(values=[action])))


def _make_lander(transport) -> str:
    handle = transport.call("make_env", env_pb2.MakeEnvRequest(env_id="LunarLander-v3")).handle
    transport.call("reset", env_pb2.ResetRequest(handle=handle, seed=0))
    return handle


def _handle_is_gone(connection: Connection, handle: str, wait: float = 5.0) -> bool:
    """Whether the server has closed ``handle`` (polled: a stream's end reaches the server asynchronously)."""
    unary = connection.unary()
    deadline = time.monotonic() + wait
    while True:
        try:
            unary.call("step", _step(handle, 0))
        except gymrpc.UnknownHandleError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.mark.parametrize("direct", DRIVERS)
def test_pipelined_responses_come_one_per_request_in_order_errors_included(connection, direct):
    transport = connection.session(direct=direct)
    try:
        assert transport.driver == ("direct" if direct else "threaded")
        handle = _make_lander(transport)
        # 40 requests in flight: steps, with a bad action (error), a render and a bad handle in between.
        plan = []
        for i in range(40):
            if i % 10 == 3:
                plan.append(("step", _step(handle, 7), gymrpc.InvalidActionError))
            elif i == 17:
                plan.append(("render", env_pb2.RenderRequest(handle=handle), None))
            elif i == 25:
                plan.append(("step", _step("no-such-handle", 0), gymrpc.UnknownHandleError))
            else:
                plan.append(("step", _step(handle, i % 4), None))
        ids = [transport.send(verb, request) for verb, request, _ in plan]
        assert ids == list(range(ids[0], ids[0] + 40)) and transport.pending == 40
        for verb, _, error in plan:
            if error is None:
                response = transport.receive()
                assert isinstance(response, env_pb2.StepResponse if verb == "step" else env_pb2.RenderResponse)
            else:
                with pytest.raises(error):
                    transport.receive()
        assert transport.pending == 0
        # The errors left the stream usable, and the steps went to the env in order: replaying the same
        # actions one by one on a fresh env gives the same observation.
        last = transport.call("step", _step(handle, 0))
        replay = connection.session(direct=direct)
        try:
            other = _make_lander(replay)
            for verb, request, error in plan:
                if verb == "step" and error is None:
                    replay.call("step", _step(other, request.action.int64s.values[0]))
            expected = replay.call("step", _step(other, 0))
        finally:
            replay.close()
        assert list(last.observation.floats.values) == list(expected.observation.floats.values)
    finally:
        transport.close()


@pytest.mark.parametrize("direct", DRIVERS)
def test_close_half_closes_and_the_server_closes_the_streams_envs(connection, direct):
    transport = connection.session(direct=direct)
    handle = _make_lander(transport)
    for _ in range(5):  # answers nobody collects: close() must still finish the stream cleanly
        transport.send("step", _step(handle, 0))
    transport.close()
    transport.close()  # idempotent
    assert _handle_is_gone(connection, handle)
    with pytest.raises(gymrpc.ServerError, match="closed"):
        transport.call("step", _step(handle, 0))


@pytest.mark.parametrize("direct", DRIVERS)
def test_a_dropped_stream_is_cancelled_and_its_envs_closed(connection, direct):
    transport = connection.session(direct=direct)
    handle = _make_lander(transport)
    del transport
    gc.collect()
    assert _handle_is_gone(connection, handle)


def test_both_drivers_report_the_server_going_away(server_jar):
    from gymrpc.testing import LocalServer

    server = LocalServer(server_jar).start()
    try:
        connection = Connection(server.address)
        transports = {direct: connection.session(direct=direct) for direct in (True, False)}
        handles = {direct: _make_lander(t) for direct, t in transports.items()}
    finally:
        server.stop()
    try:
        for direct, transport in transports.items():
            with pytest.raises(gymrpc.ServerUnavailableError, match=f"gymrpc server at {server.address}"):
                transport.call("step", _step(handles[direct], 0))
            with pytest.raises(gymrpc.ServerError, match="closed"):
                transport.call("step", _step(handles[direct], 0))
            transport.close()
    finally:
        connection.close()


def test_direct_driver_is_the_default_when_grpcio_supports_it(connection, monkeypatch):
    monkeypatch.delenv("GYMRPC_DIRECT_STREAM", raising=False)  # the suite may run with the opt-out set
    expected = "direct" if direct_stream_supported(connection.channel) else "threaded"
    default = connection.session()
    assert default.driver == expected
    default.close()
    monkeypatch.setenv("GYMRPC_DIRECT_STREAM", "0")
    opted_out = connection.session()
    assert opted_out.driver == "threaded"
    opted_out.close()


def test_a_grpcio_without_segregated_calls_falls_back_to_the_public_api(connection, monkeypatch):
    class PublicOnly:
        """A channel exposing only grpcio's public API (no ``_channel.segregated_call``)."""

        def __init__(self, channel: grpc.Channel):
            self.stream_stream = channel.stream_stream

    public = PublicOnly(connection.channel)
    assert not direct_stream_supported(public)
    stream = open_stream(public)
    assert stream.name == "threaded"
    stream.half_close()
    stream.wait_end()
    with pytest.raises(ValueError, match="direct=False"):
        open_stream(public, direct=True)
    # A SessionTransport on such a channel works end to end on the public path.
    monkeypatch.setattr(connection, "channel", public)
    transport = SessionTransport(connection)
    try:
        assert transport.driver == "threaded"
        handle = _make_lander(transport)
        assert transport.call("step", _step(handle, 1)).reward != 0.0
    finally:
        transport.close()


@pytest.mark.parametrize("direct", DRIVERS)
def test_remote_env_on_each_driver(server_address, monkeypatch, direct):
    """The env API over either driver (RemoteEnv picks the default; the env var selects the fallback)."""
    monkeypatch.setenv("GYMRPC_DIRECT_STREAM", "1" if direct else "0")
    env = gymrpc.make("LunarLander-v3", address=server_address)
    try:
        assert env._transport.driver == ("direct" if direct and direct_stream_supported(env._connection.channel)
                                         else "threaded")
        env.reset(seed=3)
        stepped = [env.step(a) for a in (0, 1, 2, 3)]
        env.reset(seed=3)
        piped = env.step_pipelined([0, 1, 2, 3], window=2)
        assert [s[1] for s in stepped] == [p[1] for p in piped]
        with pytest.raises(gymrpc.InvalidActionError):
            env.step(9)
        assert env.step(0)[0] in env.observation_space
    finally:
        env.close()


class _InterruptAfter:
    """Stands in for a driver's grpcio object; raises KeyboardInterrupt once, right after ``method`` has
    returned what gRPC handed over (so that event or response is lost), as a Ctrl-C arriving then would."""

    def __init__(self, real, method: str):
        self._real = real
        self._method = method
        self.fired = False

    def __getattr__(self, name):
        attribute = getattr(self._real, name)
        if name != self._method or self.fired:
            return attribute

        def interrupted(*args):
            attribute(*args)
            self.fired = True
            raise KeyboardInterrupt

        return interrupted

    def __next__(self):  # the threaded driver iterates its response stream
        if self._method == "__next__" and not self.fired:
            next(self._real)
            self.fired = True
            raise KeyboardInterrupt
        return next(self._real)


@pytest.mark.parametrize("direct", DRIVERS)
def test_an_interrupted_call_cancels_the_stream_cleanly(connection, direct):
    """Ctrl-C while waiting for a response: no hang, no other request's response handed out later; the
    stream is cancelled (the server closes its envs) and later calls say what happened."""
    transport = connection.session(direct=direct)
    handle = _make_lander(transport)
    stream = transport._stream
    if direct:
        stream._call = _InterruptAfter(stream._call, "next_event")
    else:
        stream._responses = _InterruptAfter(stream._responses, "__next__")
    with pytest.raises(KeyboardInterrupt):
        transport.call("step", _step(handle, 0))
    with pytest.raises(gymrpc.ServerError, match="interrupted"):
        transport.call("step", _step(handle, 0))
    transport.close()
    assert _handle_is_gone(connection, handle)
    if direct:  # the cancelled call's final status was collected, so grpcio has freed the call
        assert stream._status is not None and stream._status.code == grpc.StatusCode.CANCELLED

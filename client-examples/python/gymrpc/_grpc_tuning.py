"""grpcio settings chosen before gRPC core starts (imported first by :mod:`gymrpc`).

gRPC core reads ``GRPC_EXPERIMENTS`` once, when it initialises. grpcio 1.84's client sends and receives
through the EventEngine (experiment ``event_engine_client``), whose endpoint does its reads on threads of its
own and hands each message over to the thread waiting on the call. For gymrpc's pattern (one small
request, one small response, a caller waiting) that hand-off is most of the client's cost: with the
experiment off (the iomgr endpoint, where the waiting thread reads the socket itself) a closed-loop
LunarLander step took 39-43 us of client CPU instead of 71-79 us, and 1.2-1.5x the steps/s, interleaved runs
on a loaded 2-core machine (bench/bench_client.py; docs/benchmarks.md).

So, unless the user set ``GRPC_EXPERIMENTS`` themselves, or ``GYMRPC_GRPC_TUNING=0``, gymrpc turns the
experiment off for this process (and, through the environment, for child processes). gRPC core reads the
variable when ``grpc`` is first imported, so this works only when gymrpc is imported before grpc; when
grpc came first nothing is changed. :data:`APPLIED` says whether gymrpc set it.

An earlier session measured the same gain (docs/benchmarks.md) and left the setting to users because it is
process-wide and names an experiment that a later grpcio may drop. It is applied now because the client's
CPU per step is what issue 11 asks to cut and this is most of it; the risks are bounded: the user's own
``GRPC_EXPERIMENTS`` is never overridden, ``GYMRPC_GRPC_TUNING=0`` opts out, and a grpcio that no longer
knows the experiment logs one ``Unknown experiment`` line and otherwise carries on (checked with a made-up
name on grpcio 1.84). The Python test suite passes with it on.
"""

from __future__ import annotations

import os
import sys

#: What gymrpc adds to GRPC_EXPERIMENTS.
EXPERIMENTS = "-event_engine_client"

APPLIED = False


def apply() -> bool:
    global APPLIED
    if os.environ.get("GYMRPC_GRPC_TUNING", "1").lower() in ("0", "false", "no"):
        return False
    if "GRPC_EXPERIMENTS" in os.environ:
        return False  # the user's choice wins
    if "grpc" in sys.modules:
        return False  # gRPC core has read its settings already
    os.environ["GRPC_EXPERIMENTS"] = EXPERIMENTS
    APPLIED = True
    return True


apply()

"""gymrpc turns grpcio's event_engine_client experiment off only when that can work and nobody chose."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import os, gymrpc._grpc_tuning as t; print(t.APPLIED, os.environ.get('GRPC_EXPERIMENTS'))"


def _run(code: str, **env) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("GRPC_EXPERIMENTS", "GYMRPC_GRPC_TUNING")}
    environ.update(env)
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize("code, env, expected", [
    (PROBE, {}, "True -event_engine_client"),
    (PROBE, {"GRPC_EXPERIMENTS": "-something_else"}, "False -something_else"),
    (PROBE, {"GYMRPC_GRPC_TUNING": "0"}, "False None"),
    ("import grpc; " + PROBE, {}, "False None"),
], ids=["default", "user-set", "opted-out", "grpc-imported-first"])
def test_grpc_tuning(code, env, expected):
    assert _run(code, **env) == expected

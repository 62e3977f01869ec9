"""The generated stubs: built from this repository's .proto files at install time, never committed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gymrpc._pb import common_pb2, env_pb2

REPO = Path(__file__).resolve().parents[3]
PROTO_DIR = REPO / "proto" / "src" / "main" / "proto" / "gymrpc" / "v1"


@pytest.mark.parametrize("module, proto", [(common_pb2, "common.proto"), (env_pb2, "env.proto")])
def test_stubs_match_the_repository_protos(module, proto):
    """A stale install (protos changed since) fails here with the fix, not later with a confusing error."""
    text = (PROTO_DIR / proto).read_text()
    declared = set(re.findall(r"^(?:message|enum)\s+(\w+)", text, flags=re.MULTILINE))
    generated = set(module.DESCRIPTOR.message_types_by_name) | set(module.DESCRIPTOR.enum_types_by_name)
    assert declared == generated, (
        f"gymrpc's stubs are stale against {proto}: reinstall the package (pip install ./client-examples/python)"
    )
    for name in module.DESCRIPTOR.message_types_by_name:
        fields = {f.name for f in module.DESCRIPTOR.message_types_by_name[name].fields}
        body = re.search(rf"^message {name} \{{(.*?)^\}}", text, flags=re.MULTILINE | re.DOTALL)
        if body:
            for field in fields:
                assert re.search(rf"\b{field}\s*=\s*\d+;", body.group(1)), f"{name}.{field} is not in {proto}"


def test_generated_stubs_are_not_committed():
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.fail("this test needs a git checkout of the repository", pytrace=False)
    tracked = subprocess.run([git, "-C", str(REPO), "ls-files", "client-examples/python/gymrpc/_proto"],
                             capture_output=True, text=True, check=True).stdout
    assert tracked == ""

#!/usr/bin/env python3
"""Crash-safety test of the agent store: kill -9 the server at random points while jobs train, checkpoint
and store their models, restart it with ``--resume``, repeat; then let every job finish and check.

After every kill (server dead) the store is audited: each job.json and model.json is complete JSON, each
model.bin matches its recorded size and SHA-256, each checkpoint is a complete zip, each events.jsonl and
metrics.csv has at most one torn line (the last), and temporary files of interrupted writes are counted
(the server removes them when it opens the store). At the end every SUCCEEDED job's model must load
(Evaluate), download with a matching SHA-256, and every resumed job's events must say how it resumed
(from a checkpoint, with the cut-off episode restarting from a fresh reset, or from step 0).

Usage (from the repository root, with the Python client installed, e.g. in .venv):
    .venv/bin/python server/scripts/crash_test.py --runs 10
Exit code 0 when nothing was found wrong. Uses ./gymrpc (build it first: ./gymrpc --help).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from gymrpc.agents import FINAL_STATES, AgentClient, agent_pb2, describe_job, state_name

ROOT = Path(__file__).resolve().parents[2]


def start_server(store: Path, port: int, log, jar: Path | None) -> subprocess.Popen:
    env = dict(os.environ, GYMRPC_NO_BUILD="1")
    # With --jar, run a copy of the server jar (and its lib/): a rebuild of server/target during the test
    # would otherwise swap classes under the running server.
    launcher = [str(ROOT / "gymrpc")] if jar is None else [
        "java", "-Xmx2g", "-XX:+UseParallelGC", "-Djava.awt.headless=true", "-jar", str(jar)]
    proc = subprocess.Popen(
        launcher + ["serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store),
                    "--workers", "2", "--resume"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} at startup; see its log")
        try:
            with AgentClient(f"127.0.0.1:{port}", call_timeout=2) as c:
                c.list_jobs()
            return proc
        except Exception:  # not up yet
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not come up within 180 s")


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)  # ./gymrpc execs java: either way this is the JVM
    proc.wait()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def audit(store: Path, stats: Counter) -> list[str]:
    """What a kill left in the store; returns the problems (half-written or inconsistent files)."""
    problems = []
    for p in store.rglob("*"):
        if p.name.startswith(".tmp-"):
            stats["temporary leftovers (removed at restart)"] += 1
    for f in (store / "jobs").glob("*/job.json"):
        try:
            json.loads(f.read_text())
        except ValueError as e:
            problems.append(f"half-written {f}: {e}")
    for f in list((store / "jobs").glob("*/events.jsonl")) + list((store / "jobs").rglob("metrics.csv")):
        data = f.read_bytes()
        lines = data.split(b"\n")
        if lines and lines[-1] != b"":
            stats["torn last lines (cut at restart)"] += 1
        for line in lines[:-1]:  # complete lines only
            if not line:
                continue
            if f.name == "events.jsonl":
                try:
                    json.loads(line)
                except ValueError:
                    problems.append(f"a torn line in the middle of {f}")
            elif len(line.split(b",")) != 5:
                problems.append(f"a torn row in the middle of {f}: {line[:60]!r}")
    for f in (store / "jobs").rglob("step-*.ckpt"):
        try:
            with zipfile.ZipFile(f) as z:
                if z.testzip() is not None:
                    problems.append(f"corrupt checkpoint {f}")
            stats["checkpoints checked"] += 1
        except zipfile.BadZipFile:
            problems.append(f"half-written checkpoint {f}")
    for d in (store / "models").glob("*"):
        if d.name.startswith(".tmp-"):
            continue
        try:
            info = json.loads((d / "model.json").read_text())
            blob = d / "model.bin"
            if int(info["sizeBytes"]) != blob.stat().st_size or info["sha256"] != sha256(blob):
                problems.append(f"model {d.name}: model.bin does not match its recorded size / SHA-256")
            stats["model files checked"] += 1
        except (OSError, ValueError, KeyError) as e:
            problems.append(f"half-written model {d}: {e}")
    return problems


def submit(client: AgentClient, n: int, rng: random.Random) -> None:
    kind = rng.choice(["ppo", "sac"])
    if kind == "ppo":
        client.train("ppo", "CartPole-v1", seed=n, steps=rng.choice([4096, 6144, 8192]), checkpoint_every_steps=1024,
                     label=f"crash-ppo-{n}")
    else:
        client.train("sac", "FourRooms-v0", seed=n, steps=rng.choice([1500, 2500]), checkpoint_every_steps=250,
                     label=f"crash-sac-{n}", config={"learning_starts": 200})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10, help="kill -9 / restart cycles (default 10)")
    ap.add_argument("--port", type=int, default=52077)
    ap.add_argument("--store", type=Path, help="store directory (default: a fresh temporary one)")
    ap.add_argument("--jobs", type=int, default=8, help="training jobs submitted over the run (default 8)")
    ap.add_argument("--min-wait", type=float, default=1.0, help="shortest time before a kill, s")
    ap.add_argument("--max-wait", type=float, default=10.0, help="longest time before a kill, s")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jar", type=Path, help="run this copy of gymrpc-server.jar (with its lib/ next to it) "
                    "instead of ./gymrpc")
    ap.add_argument("--timeout", type=float, default=1800, help="how long the final run may take to finish the jobs, s")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    store = args.store or Path(tempfile.mkdtemp(prefix="gymrpc-crash-"))
    log_path = store.parent / (store.name + ".server.log")
    address = f"127.0.0.1:{args.port}"
    stats: Counter = Counter()
    problems: list[str] = []
    submitted = 0
    print(f"crash test: {args.runs} kill -9 runs, store {store}, server log {log_path}")
    with open(log_path, "ab") as log:
        proc = start_server(store, args.port, log, args.jar)
        for run in range(1, args.runs + 1):
            with AgentClient(address) as client:
                jobs = client.list_jobs()
                active = sum(1 for j in jobs if j.state not in FINAL_STATES)
                while submitted < args.jobs and active < 3:
                    submit(client, submitted, rng)
                    submitted += 1
                    active += 1
            wait = rng.uniform(args.min_wait, args.max_wait)
            time.sleep(wait)
            with AgentClient(address) as client:
                states = Counter(state_name(j.state) for j in client.list_jobs())
            kill9(proc)
            found = audit(store, stats)
            problems += [f"run {run}: {p}" for p in found]
            print(f"run {run}: killed after {wait:.1f} s with jobs {dict(states)}; audit: "
                  f"{'ok' if not found else found}")
            proc = start_server(store, args.port, log, args.jar)
        # Final: let every job finish.
        deadline = time.monotonic() + args.timeout
        with AgentClient(address) as client:
            while submitted < args.jobs:
                submit(client, submitted, rng)
                submitted += 1
            while True:
                jobs = client.list_jobs()
                if all(j.state in FINAL_STATES for j in jobs):
                    break
                if time.monotonic() > deadline:
                    problems.append("jobs still running at the timeout: "
                                    + "; ".join(describe_job(j) for j in jobs if j.state not in FINAL_STATES))
                    break
                time.sleep(2)
            verified = resumed = resumes = 0
            for job in jobs:
                print("  " + describe_job(job) + f" [resumed {job.resume_count}x]")
                if job.state != agent_pb2.JOB_STATE_SUCCEEDED:
                    problems.append(f"job did not succeed: {describe_job(job)}")
                    continue
                info, data = client.download_model(job.model_id)  # checks size and SHA-256
                on_disk = store / "models" / job.model_id / "model.bin"
                if sha256(on_disk) != info.sha256 or hashlib.sha256(data).hexdigest() != info.sha256:
                    problems.append(f"model {job.model_id} does not match its SHA-256")
                client.evaluate(job.model_id, episodes=1)  # the server loads the model
                verified += 1
                if job.resume_count:
                    resumed += 1
                    resumes += job.resume_count
                    # Every start after the first (a job re-queued before it ever ran has only one) must
                    # say how it resumed, and a resume from a checkpoint that the cut-off episode restarts.
                    starts = [e.state.reason for e in client.events(job.job_id)
                              if e.WhichOneof("kind") == "state" and e.state.state == agent_pb2.JOB_STATE_RUNNING]
                    for reason in starts[1:]:
                        if reason.startswith("resumed from the checkpoint"):
                            if "restarts from a fresh reset" not in reason:
                                problems.append(f"{job.job_id}: a resume does not say the episode restarted: {reason}")
                        elif not reason.startswith("restarted from step 0"):
                            problems.append(f"{job.job_id}: a restart does not say how it resumed: {reason!r}")
                    stats["job restarts after a kill, each saying how it resumed"] += len(starts) - 1
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    problems += [f"final: {p}" for p in audit(store, stats)]
    print(f"crash test done: {args.runs} kill -9 runs, {len(jobs)} jobs, {verified} models verified (load + "
          f"SHA-256), {resumed} jobs resumed after kills ({resumes} resumes in all, counting re-queues of jobs that "
          f"had not started); store audits: {dict(stats)}")
    print(f"problems: {len(problems)}")
    for p in problems:
        print("  " + p)
    if not args.store and not problems:
        shutil.rmtree(store, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

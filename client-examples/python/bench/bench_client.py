"""Python client benchmark: what a Python agent gets from a gymrpc server, next to Gymnasium in-process.

Measures, on LunarLander-v3:
  * one env, closed loop (each action waits for the previous observation): step round-trip latency
    p50 / p99 and steps/s, over unary rpcs and over the Session stream (with the default direct driver
    and with the threaded driver on grpcio's public API, see gymrpc/_transport.py);
  * one env, open loop over the stream with up to --window steps in flight (step_pipelined);
  * a vector env (one VectorStep rpc per batch) at N = 1, 8, 64 with the client's default server threads,
    and at the largest N on one server thread: env-steps/s;
  * the reference: Gymnasium's own LunarLander-v3 in this Python process (needs Box2D, i.e.
    `pip install "gymnasium[box2d]"`; skipped with a note when it is not installed), single and
    SyncVectorEnv at the largest N.

    python bench/bench_client.py                      # starts the server from server/target/gymrpc-server.jar
    python bench/bench_client.py --address localhost:50051 --steps 5000 --json out.json

Wall-clock figures on a shared machine are noisy: run it on an idle one and compare rows from one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

import gymrpc
from gymrpc.testing import LocalServer

ENV_ID = "LunarLander-v3"
REPO = Path(__file__).resolve().parents[3]


def closed_loop(address: str, transport: str, steps: int, warmup: int, seed: int) -> dict:
    """``transport``: "unary", "stream" (the default driver) or "stream-threaded" (grpcio's public API)."""
    with _stream_driver(transport):
        env = gymrpc.make(ENV_ID, address=address, streaming=transport != "unary")
    what = {"unary": "unary", "stream-threaded": "stream, threaded driver"}.get(
        transport, f"stream, {getattr(env._transport, 'driver', '?')} driver")
    actions = np.random.default_rng(seed).integers(0, 4, steps + warmup).tolist()
    latencies = np.empty(steps)
    try:
        env.reset(seed=seed)
        for a in actions[:warmup]:
            if any(env.step(a)[2:4]):
                env.reset()
        clock = time.perf_counter
        start = clock()
        for i, a in enumerate(actions[warmup:]):
            t = clock()
            _, _, terminated, truncated, _ = env.step(a)
            latencies[i] = clock() - t
            if terminated or truncated:
                env.reset()
        elapsed = clock() - start
    finally:
        env.close()
    return {
        "what": f"1 env, {what}, closed loop",
        "steps_per_s": steps / elapsed,
        "latencies": latencies,
    }


@contextlib.contextmanager
def _stream_driver(transport: str):
    """Makes envs on grpcio's public streaming API (the fallback driver) for "stream-threaded"."""
    saved = os.environ.get("GYMRPC_DIRECT_STREAM")
    if transport == "stream-threaded":
        os.environ["GYMRPC_DIRECT_STREAM"] = "0"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("GYMRPC_DIRECT_STREAM", None)
        else:
            os.environ["GYMRPC_DIRECT_STREAM"] = saved


def pipelined(address: str, steps: int, window: int, seed: int) -> dict:
    env = gymrpc.make(ENV_ID, address=address, streaming=True)
    rng = np.random.default_rng(seed)
    done = 0
    try:
        env.reset(seed=seed)
        env.step_pipelined(rng.integers(0, 4, 200).tolist(), window=window)  # warm-up
        start = time.perf_counter()
        episode = 0
        while done < steps:
            env.reset(seed=seed + episode)
            episode += 1
            done += len(env.step_pipelined(rng.integers(0, 4, min(1000, steps - done)).tolist(), window=window))
        elapsed = time.perf_counter() - start
    finally:
        env.close()
    return {"what": f"1 env, stream, open loop (window {window})", "steps_per_s": done / elapsed}


def vector(address: str, num_envs: int, streaming: bool, env_steps: int, seed: int, threads: int | None) -> dict:
    envs = gymrpc.make_vec(ENV_ID, num_envs, address=address, streaming=streaming, threads=threads)
    batches = max(20, env_steps // num_envs)
    rng = np.random.default_rng(seed)
    actions = rng.integers(0, 4, (batches + 10, num_envs))
    latencies = np.empty(batches)
    try:
        envs.reset(seed=seed)
        for a in actions[:10]:
            envs.step(a)
        clock = time.perf_counter
        start = clock()
        for i, a in enumerate(actions[10:]):
            t = clock()
            envs.step(a)
            latencies[i] = clock() - t
        elapsed = clock() - start
    finally:
        envs.close()
    return {
        "what": f"vector N={num_envs}, {'stream' if streaming else 'unary'}, threads="
        + (f"{threads}" if threads is not None else f"server default ({envs.threads})"),
        "steps_per_s": batches * num_envs / elapsed,
        "latencies": latencies,
        "threads": envs.threads,
    }


def box2d_available() -> bool:
    try:
        import Box2D  # noqa: F401
    except ImportError:
        print("note: Box2D is not installed, so Gymnasium's in-process LunarLander-v3 reference is skipped "
              "(pip install \"gymnasium[box2d]\" to include it)", file=sys.stderr)
        return False
    return True


def gymnasium_reference(steps: int, num_envs: int, seed: int) -> list[dict]:
    import gymnasium as gym

    rows = []
    env = gym.make(ENV_ID)
    actions = np.random.default_rng(seed).integers(0, 4, steps).tolist()
    env.reset(seed=seed)
    latencies = np.empty(steps)
    clock = time.perf_counter
    start = clock()
    for i, a in enumerate(actions):
        t = clock()
        _, _, terminated, truncated, _ = env.step(a)
        latencies[i] = clock() - t
        if terminated or truncated:
            env.reset()
    elapsed = clock() - start
    env.close()
    rows.append({"what": "Gymnasium in-process, 1 env (reference)", "steps_per_s": steps / elapsed,
                 "latencies": latencies})

    envs = gym.make_vec(ENV_ID, num_envs=num_envs, vectorization_mode="sync")
    batches = max(20, steps // num_envs)
    batch_actions = np.random.default_rng(seed).integers(0, 4, (batches, num_envs))
    envs.reset(seed=seed)
    start = clock()
    for a in batch_actions:
        envs.step(a)
    elapsed = clock() - start
    envs.close()
    rows.append({"what": f"Gymnasium in-process SyncVectorEnv N={num_envs} (reference)",
                 "steps_per_s": batches * num_envs / elapsed})
    return rows


def combine(rounds: list[list[dict]]) -> list[dict]:
    """One row per measurement: median steps/s over rounds, percentiles of the pooled latencies."""
    rows = []
    for i, first in enumerate(rounds[0]):
        same = [r[i] for r in rounds]
        row = {"what": first["what"], "steps_per_s": float(np.median([r["steps_per_s"] for r in same])),
               "steps_per_s_rounds": [round(r["steps_per_s"]) for r in same]}
        if "latencies" in first:
            pooled = np.concatenate([r["latencies"] for r in same])
            row["p50_us"] = float(np.percentile(pooled, 50) * 1e6)
            row["p99_us"] = float(np.percentile(pooled, 99) * 1e6)
        rows.append(row)
    return rows


def print_table(rows: list[dict], load_at_start: float) -> None:
    print(f"\n{'measurement':<52} {'steps/s':>10} {'p50 us':>9} {'p99 us':>9}   per round")
    print("-" * 105)
    for r in rows:
        p50 = f"{r['p50_us']:.0f}" if "p50_us" in r else "-"
        p99 = f"{r['p99_us']:.0f}" if "p99_us" in r else "-"
        per_round = " ".join(f"{v:,}" for v in r["steps_per_s_rounds"])
        print(f"{r['what']:<52} {r['steps_per_s']:>10,.0f} {p50:>9} {p99:>9}   {per_round}")
    print("(steps/s: median over rounds; vector rows: env-steps/s and latency per batch; 1-minute load average "
          f"{load_at_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end, on {os.cpu_count()} cpus)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", help="benchmark a running server (default: start one from --jar)")
    parser.add_argument("--jar", default=str(REPO / "server" / "target" / "gymrpc-server.jar"))
    parser.add_argument("--steps", type=int, default=3000, help="timed steps per single-env measurement")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--window", type=int, default=8, help="steps in flight for the open-loop row")
    parser.add_argument("--vector-sizes", default="1,8,64")
    parser.add_argument("--vector-steps", type=int, default=40000, help="timed env-steps per vector size")
    parser.add_argument("--threads", type=int, default=None,
                        help="server worker threads per vector env (default: the server's choice, "
                             "one per 16 sub-envs, capped at its cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions; medians are reported")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--heap", default="4g",
                        help="the started server's -Xmx (4g, as ./gymrpc serve; with 1g the collector runs every "
                             "~0.3 s while 64 LunarLanders step)")
    parser.add_argument("--no-warmup-round", dest="warmup_round", action="store_false",
                        help="skip the untimed round that warms a freshly started server up")
    args = parser.parse_args(argv)

    server = None
    address = args.address
    if address is None:
        server = LocalServer(args.jar, heap=args.heap).start()
        address = server.address
    rounds: list[list[dict]] = []
    load_at_start = os.getloadavg()[0]
    try:
        print(f"gymrpc bench: {ENV_ID} at {address}; Python {platform.python_version()}, {os.cpu_count()} cpus, "
              f"{args.rounds} interleaved rounds", file=sys.stderr)
        sizes = [int(n) for n in args.vector_sizes.split(",")]
        reference = box2d_available()
        def one_round(seed: int, scale: float = 1.0) -> list[dict]:
            steps, vector_steps = max(200, int(args.steps * scale)), max(640, int(args.vector_steps * scale))
            rows = [closed_loop(address, transport, steps, args.warmup, seed)
                    for transport in ("unary", "stream", "stream-threaded")]
            rows.append(pipelined(address, steps, args.window, seed))
            rows += [vector(address, n, True, vector_steps, seed, args.threads) for n in sizes]
            if args.threads is None and rows[-1]["threads"] > 1:  # what the server's default threads bring
                rows.append(vector(address, sizes[-1], True, vector_steps, seed, 1))
            rows.append(vector(address, sizes[-1], False, vector_steps, seed, args.threads))
            if reference:
                rows += gymnasium_reference(steps, sizes[-1], seed)
            return rows

        if args.warmup_round:
            # A server that just started runs its step path interpreted for a while (JIT): one untimed
            # round at half size first, so the rounds compare steady states.
            one_round(args.seed + args.rounds, 0.5)
            print("warm-up round done", file=sys.stderr)
        # Every round runs every measurement once, so on a shared machine each row sees the same load
        # (the median over rounds is reported; latencies are pooled).
        for r in range(args.rounds):
            rounds.append(one_round(args.seed + r))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
    rows = combine(rounds)
    print_table(rows, load_at_start)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

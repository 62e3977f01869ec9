"""Python client benchmark: what a Python agent gets from a gymrpc server, next to in-process references.

Measures, on LunarLander-v3, in interleaved rounds (every round runs every row, so rows of one round see
the same machine load):
  * one env, closed loop (each action waits for the previous observation): steps/s and round-trip latency
    p50 / p99 for the default ``gymrpc.make()``, unary rpcs, and the Session stream (default direct driver
    and the threaded driver on grpcio's public API, see gymrpc/_transport.py);
  * one env, open loop over the stream with up to --window steps in flight (step_pipelined);
  * a vector env (one VectorStep rpc per batch) at N = 1, 8, 64 with the server's default threads, at the
    largest N on one thread, over unary rpcs, and EnvPool-style (send/recv, batch_size = N/2: the server
    steps one half while the client handles the other): env-steps/s; and with a policy in the loop (a numpy
    MLP 8-64-64-4 per batch), step() against send/recv, to show what the overlap buys;
  * the server's own in-process VectorEnv at the largest N and the same threads, with no RPC (the jar's
    `bench vector --stdin` in a JVM of its own that stays up across rounds, so it is as warm as the server;
    measured right after the remote row, while the server idles): the bound for the remote row;
  * Gymnasium's own LunarLander-v3 in this Python process, single env and SyncVectorEnv at the largest N,
    when Box2D is importable (skipped with a note otherwise);
  * the client's own Python cost per step with the network replaced by a recorded response (encode the
    action, build and serialize the request, parse and decode the response).

It ends with the ratios issue 11 sets goals for, each the median of per-round ratios (same round, same
load): remote N=64 / in-process VectorEnv at the same threads (>= 0.7), remote N=64 / Gymnasium
SyncVectorEnv(64) (>= 2), default make() one env / Gymnasium one env (>= 0.3). Absolute figures depend on
the machine and its load: compare rows and ratios from one run, never figures across machines.

    python bench/bench_client.py                      # starts the server from server/target/gymrpc-server.jar
    python bench/bench_client.py --address localhost:50051 --steps 5000 --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import gymrpc
from gymrpc.testing import LocalServer

ENV_ID = "LunarLander-v3"
REPO = Path(__file__).resolve().parents[3]


#: Pid of the server this bench started (None with --address): its CPU time is read from /proc.
SERVER_PID: int | None = None


def server_cpu() -> float:
    """CPU seconds the local server process has used so far (0 when unknown)."""
    if SERVER_PID is None:
        return 0.0
    try:
        fields = Path(f"/proc/{SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def closed_loop(address: str, transport: str, steps: int, warmup: int, seed: int) -> dict:
    """``transport``: "default" (``gymrpc.make()`` as a user calls it), "unary", "stream" (the default
    driver) or "stream-threaded" (grpcio's public API)."""
    with _stream_driver(transport):
        if transport == "default":
            env = gymrpc.make(ENV_ID, address=address)
        else:
            env = gymrpc.make(ENV_ID, address=address, streaming=transport != "unary")
    driver = getattr(env._transport, "driver", "unary")
    what = {"unary": "unary", "stream-threaded": "stream, threaded driver",
            "default": f"default make() ({'stream, ' + driver + ' driver' if env.streaming else 'unary'})"}.get(
        transport, f"stream, {driver} driver")
    actions = np.random.default_rng(seed).integers(0, 4, steps + warmup).tolist()
    latencies = np.empty(steps)
    try:
        env.reset(seed=seed)
        for a in actions[:warmup]:
            if any(env.step(a)[2:4]):
                env.reset()
        clock = time.perf_counter
        cpu, server0 = time.process_time(), server_cpu()
        start = clock()
        for i, a in enumerate(actions[warmup:]):
            t = clock()
            _, _, terminated, truncated, _ = env.step(a)
            latencies[i] = clock() - t
            if terminated or truncated:
                env.reset()
        elapsed = clock() - start
        cpu, server = time.process_time() - cpu, server_cpu() - server0
    finally:
        env.close()
    return {
        "what": f"1 env, {what}, closed loop",
        "steps_per_s": steps / elapsed,
        "latencies": latencies,
        "client_cpu_us": cpu / steps * 1e6,
        "cpu_per_env_step_us": (cpu + server) / steps * 1e6 if SERVER_PID else None,
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
        cpu, server0 = time.process_time(), server_cpu()
        start = clock()
        for i, a in enumerate(actions[10:]):
            t = clock()
            envs.step(a)
            latencies[i] = clock() - t
        elapsed = clock() - start
        cpu, server = time.process_time() - cpu, server_cpu() - server0
    finally:
        envs.close()
    return {
        "what": f"vector N={num_envs}, {'stream' if streaming else 'unary'}, threads="
        + (f"{threads}" if threads is not None else f"server default ({envs.threads})"),
        "steps_per_s": batches * num_envs / elapsed,
        "latencies": latencies,
        "threads": envs.threads,
        "client_cpu_us": cpu / batches * 1e6,
        "cpu_per_env_step_us": (cpu + server) / (batches * num_envs) * 1e6 if SERVER_PID else None,
    }


def vector_envpool(address: str, num_envs: int, env_steps: int, seed: int) -> dict:
    """EnvPool's loop: async_reset, then recv a group / send its actions (batch_size = num_envs / 2)."""
    batch = max(1, num_envs // 2)
    envs = gymrpc.make_vec(ENV_ID, num_envs, address=address, batch_size=batch)
    receives = max(40, env_steps // batch)
    rng = np.random.default_rng(seed)
    actions = rng.integers(0, 4, (receives + 20, batch))
    try:
        envs.async_reset(seed=seed)
        for a in actions[:20]:
            info = envs.recv()[4]
            envs.send(a, info["env_id"])
        start = time.perf_counter()
        for a in actions[20:]:
            info = envs.recv()[4]
            envs.send(a, info["env_id"])
        elapsed = time.perf_counter() - start
        while envs.pending:
            envs.recv()
    finally:
        envs.close()
    return {"what": f"vector N={num_envs}, send/recv batch_size={batch}, threads {envs.threads}/group",
            "steps_per_s": receives * batch / elapsed}


class MlpPolicy:
    """A stand-in for an agent's policy: a numpy MLP 8-64-64-4 forward pass (CleanRL's PPO sizes), argmax."""

    def __init__(self, seed: int):
        rng = np.random.default_rng(seed)
        self.layers = [(rng.standard_normal((a, b)).astype(np.float32) / np.sqrt(a), np.zeros(b, np.float32))
                       for a, b in ((8, 64), (64, 64), (64, 4))]

    def __call__(self, obs: np.ndarray) -> np.ndarray:
        x = obs
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                x = np.tanh(x)
        return x.argmax(axis=1)


def with_policy(address: str, num_envs: int, env_steps: int, seed: int, batch_size: int | None) -> dict:
    """Closed loop with a policy in it: step() (the client computes, then the server steps, in turn) or
    EnvPool's send/recv with ``batch_size`` (the server steps one group while the client computes the other's
    actions)."""
    policy = MlpPolicy(seed)
    envs = gymrpc.make_vec(ENV_ID, num_envs, address=address, batch_size=batch_size)
    try:
        if batch_size is None:
            batches = max(20, env_steps // num_envs)
            obs, _ = envs.reset(seed=seed)
            for _ in range(5):
                obs = envs.step(policy(obs))[0]
            start = time.perf_counter()
            for _ in range(batches):
                obs = envs.step(policy(obs))[0]
            done = batches * num_envs
            what = f"vector N={num_envs} + MLP policy, step()"
        else:
            receives = max(40, env_steps // batch_size)
            envs.async_reset(seed=seed)
            for _ in range(10):
                obs, _, _, _, info = envs.recv()
                envs.send(policy(obs), info["env_id"])
            start = time.perf_counter()
            for _ in range(receives):
                obs, _, _, _, info = envs.recv()
                envs.send(policy(obs), info["env_id"])
            done = receives * batch_size
            what = f"vector N={num_envs} + MLP policy, send/recv batch_size={batch_size}"
        elapsed = time.perf_counter() - start
    finally:
        envs.close()
    return {"what": what, "steps_per_s": done / elapsed}


class JavaInProcess:
    """The server's in-process VectorEnv (no RPC): ``gymrpc-server.jar bench vector --stdin`` in a JVM of its
    own that stays up, so every round measures a warm JVM as the server is warm (one line in, one JSON out)."""

    def __init__(self, jar: str, heap: str, num_envs: int, threads: int, seconds: float, warmup_batches: int):
        self.num_envs, self.seconds = num_envs, seconds
        # Warm-up by work done, not only by time: on a loaded machine a few seconds of wall clock can end
        # before the JIT has compiled the step path, while the server has stepped a whole warm-up round.
        self.process = subprocess.Popen(
            ["java", f"-Xmx{heap}", "-XX:+UseParallelGC", "-Djava.awt.headless=true", "-jar", jar, "bench",
             "vector", "--env", ENV_ID, "--num-envs", str(num_envs), "--threads", str(threads), "--seconds",
             str(seconds), "--warmup-seconds", str(2 * seconds), "--warmup-batches", str(warmup_batches),
             "--json", "--stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._read()  # the first (warm-up) measurement
            self._started = True

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"`gymrpc-server.jar bench vector` ended (exit code {self.process.wait()})")
        return json.loads(line)

    def measure(self, scale: float = 1.0) -> dict:
        self.start()
        self.process.stdin.write(f"{max(0.5, self.seconds * scale)}\n")
        result = self._read()
        return {"what": f"Java in-process VectorEnv N={self.num_envs}, threads={result['threads']} (no RPC)",
                "steps_per_s": result["env_steps_per_s"],
                "cpu_per_env_step_us": result["cpu_us_per_batch"] / self.num_envs}

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def client_python_cost(address: str, num_envs: int, seed: int, steps: int = 20000) -> list[dict]:
    """The client's own work per step (1 env) and per batch (vector), network excluded.

    The stream driver is swapped for one that serializes each request and returns a response recorded from
    the server, so what is timed is exactly the Python side of a step: encode the action, build and
    serialize the request, parse and check the response, decode observation, reward, flags and infos.
    """
    rows = []
    for n in (None, num_envs):
        env = (gymrpc.make(ENV_ID, address=address) if n is None
               else gymrpc.make_vec(ENV_ID, n, address=address))
        try:
            env.reset(seed=seed)
            transport = env._transport
            if not transport.streaming:
                return rows
            actions = np.random.default_rng(seed).integers(0, 4, (64,) if n is None else (64, n))
            stream = transport._stream
            step = (lambda a: env.step(int(a))) if n is None else env.step
            recorded = {}
            real_round_trip = stream.round_trip

            def recording(message):
                response = real_round_trip(message)
                recorded["bytes"] = response.SerializeToString()
                return response

            stream.round_trip = recording
            step(actions[0])
            parse = stream._deserialize

            def replay(message, data=recorded["bytes"]):
                stream._serialize(message)
                response = parse(data)
                response.request_id = message.request_id  # so the transport's order check passes
                return response

            stream.round_trip = replay
            loops = steps if n is None else max(200, steps // 20)
            start = time.perf_counter()
            for i in range(loops):
                step(actions[i % 64])
            elapsed = time.perf_counter() - start
            stream.round_trip = real_round_trip
            rows.append({"what": f"client Python per {'step, 1 env' if n is None else f'batch, N={n}'}, "
                                 "network excluded", "us": elapsed / loops * 1e6})
        finally:
            env.close()
    return rows


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
    cpu = time.process_time()
    start = clock()
    for i, a in enumerate(actions):
        t = clock()
        _, _, terminated, truncated, _ = env.step(a)
        latencies[i] = clock() - t
        if terminated or truncated:
            env.reset()
    elapsed = clock() - start
    cpu = time.process_time() - cpu
    env.close()
    rows.append({"what": "Gymnasium in-process, 1 env (reference)", "steps_per_s": steps / elapsed,
                 "latencies": latencies, "cpu_per_env_step_us": cpu / steps * 1e6})

    envs = gym.make_vec(ENV_ID, num_envs=num_envs, vectorization_mode="sync")
    batches = max(20, steps // num_envs)
    batch_actions = np.random.default_rng(seed).integers(0, 4, (batches, num_envs))
    envs.reset(seed=seed)
    cpu = time.process_time()
    start = clock()
    for a in batch_actions:
        envs.step(a)
    elapsed = clock() - start
    cpu = time.process_time() - cpu
    envs.close()
    rows.append({"what": f"Gymnasium in-process SyncVectorEnv N={num_envs} (reference)",
                 "steps_per_s": batches * num_envs / elapsed, "cpu_per_env_step_us": cpu / (batches * num_envs) * 1e6})
    return rows


#: The ratios issue 11 sets goals for: (name, numerator row key, denominator row key, goal).
RATIOS = (
    ("remote vector N={n} / server's in-process VectorEnv, same threads", "vector", "java", 0.7),
    ("remote vector N={n} / Gymnasium SyncVectorEnv N={n}", "vector", "gym_vector", 2.0),
    ("default make(), 1 env / Gymnasium 1 env", "default", "gym_single", 0.3),
)


def combine(rounds: list[list[dict]]) -> list[dict]:
    """One row per measurement: median steps/s over rounds, percentiles of the pooled latencies."""
    rows = []
    for i, first in enumerate(rounds[0]):
        same = [r[i] for r in rounds]
        row = {k: first[k] for k in ("what", "key") if k in first}
        if "us" in first:
            row["us"] = float(np.median([r["us"] for r in same]))
            rows.append(row)
            continue
        row["steps_per_s"] = float(np.median([r["steps_per_s"] for r in same]))
        row["steps_per_s_rounds"] = [round(r["steps_per_s"]) for r in same]
        if "latencies" in first:
            pooled = np.concatenate([r["latencies"] for r in same])
            row["p50_us"] = float(np.percentile(pooled, 50) * 1e6)
            row["p99_us"] = float(np.percentile(pooled, 99) * 1e6)
        if "client_cpu_us" in first:
            row["client_cpu_us"] = float(np.median([r["client_cpu_us"] for r in same]))
        if first.get("cpu_per_env_step_us") is not None:
            row["cpu_per_env_step_us"] = float(np.median([r["cpu_per_env_step_us"] for r in same]))
        rows.append(row)
    return rows


def ratios(rounds: list[list[dict]], largest: int) -> list[dict]:
    """Each goal ratio per round (both rows from the same round), and their median."""
    out = []
    for name, top, bottom, goal in RATIOS:
        per_round = []
        for rows in rounds:
            keyed = {r["key"]: r["steps_per_s"] for r in rows if "key" in r}
            if top in keyed and bottom in keyed:
                per_round.append(keyed[top] / keyed[bottom])
        if per_round:
            median = float(np.median(per_round))
            out.append({"ratio": name.format(n=largest), "median": median, "rounds": per_round, "goal": goal,
                        "met": median >= goal})
        else:
            out.append({"ratio": name.format(n=largest), "median": None, "goal": goal, "met": None})
    return out


def print_table(rows: list[dict], goal_ratios: list[dict], load_at_start: float, machine: str) -> None:
    print(f"\n{'measurement':<60} {'steps/s':>10} {'p50 us':>8} {'p99 us':>8} {'cpu us':>7} {'cpu/st':>7}   "
          "per round")
    print("-" * 120)
    for r in rows:
        if "us" in r:
            continue
        p50 = f"{r['p50_us']:.0f}" if "p50_us" in r else "-"
        p99 = f"{r['p99_us']:.0f}" if "p99_us" in r else "-"
        cpu = f"{r['client_cpu_us']:.0f}" if "client_cpu_us" in r else "-"
        per_step = f"{r['cpu_per_env_step_us']:.1f}" if "cpu_per_env_step_us" in r else "-"
        per_round = " ".join(f"{v:,}" for v in r["steps_per_s_rounds"])
        print(f"{r['what']:<60} {r['steps_per_s']:>10,.0f} {p50:>8} {p99:>8} {cpu:>7} {per_step:>7}   {per_round}")
    print("(steps/s: median over rounds; vector rows: env-steps/s, latency per batch; cpu us: this Python "
          "process's CPU time per step or batch;\n cpu/st: CPU time per env-step of every process doing the "
          "work (client + local server, or the in-process env) -- less sensitive to other load than steps/s)")
    for r in rows:
        if "us" in r:
            print(f"{r['what']:<60} {r['us']:>10.1f} us")
    print(f"\n{'ratio (median of per-round ratios)':<72} {'value':>7} {'goal':>6}  met   per round")
    print("-" * 112)
    for q in goal_ratios:
        if q["median"] is None:
            print(f"{q['ratio']:<72} {'-':>7} {q['goal']:>6.2f}  n/a   (a row is missing: Box2D not importable?)")
            continue
        per_round = " ".join(f"{v:.2f}" for v in q["rounds"])
        print(f"{q['ratio']:<72} {q['median']:>7.2f} {q['goal']:>6.2f}  {'yes' if q['met'] else 'NO ':<4}  {per_round}")
    print(f"\nmachine: {machine}; 1-minute load average {load_at_start:.2f} at the start, "
          f"{os.getloadavg()[0]:.2f} at the end. Figures hold for this machine and load only.")


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    except (OSError, IndexError):
        java = "java ?"
    return (f"{os.cpu_count()} cpus ({cpu}), {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, {java}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", help="benchmark a running server (default: start one from --jar)")
    parser.add_argument("--jar", default=str(REPO / "server" / "target" / "gymrpc-server.jar"),
                        help="the server jar: started as the server (unless --address) and run for the "
                             "in-process VectorEnv row")
    parser.add_argument("--steps", type=int, default=3000, help="timed steps per single-env measurement")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--window", type=int, default=8, help="steps in flight for the open-loop row")
    parser.add_argument("--vector-sizes", default="1,8,64")
    parser.add_argument("--vector-steps", type=int, default=40000, help="timed env-steps per vector size")
    parser.add_argument("--java-seconds", type=float, default=3.0,
                        help="timed seconds of the in-process VectorEnv row (its JVM warms up for twice as long "
                             "once, then stays up for every round)")
    parser.add_argument("--no-java", dest="java", action="store_false",
                        help="skip the in-process VectorEnv row (e.g. when --address is another machine)")
    parser.add_argument("--threads", type=int, default=None,
                        help="server worker threads per vector env (default: the server's choice, "
                             "one per 16 sub-envs, capped at its cores)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved repetitions; medians are reported")
    parser.add_argument("--json", help="also write the rows and ratios to this file")
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
        global SERVER_PID
        SERVER_PID = server._process.pid
    rounds: list[list[dict]] = []
    load_at_start = os.getloadavg()[0]
    machine = machine_description()
    java: list = [None]
    try:
        print(f"gymrpc bench: {ENV_ID} at {address}; {machine}; {args.rounds} interleaved rounds", file=sys.stderr)
        sizes = [int(n) for n in args.vector_sizes.split(",")]
        reference = box2d_available()

        def one_round(seed: int, scale: float = 1.0) -> list[dict]:
            steps, vector_steps = max(200, int(args.steps * scale)), max(640, int(args.vector_steps * scale))
            rows = [closed_loop(address, transport, steps, args.warmup, seed)
                    for transport in ("default", "unary", "stream", "stream-threaded")]
            rows[0]["key"] = "default"
            rows.append(pipelined(address, steps, args.window, seed))
            rows += [vector(address, n, True, vector_steps, seed, args.threads) for n in sizes]
            rows[-1]["key"] = "vector"
            threads = rows[-1]["threads"]
            if args.java:  # right after the remote row it is compared with, so both see the same load
                if java[0] is None:
                    java[0] = JavaInProcess(args.jar, args.heap, sizes[-1], threads, args.java_seconds,
                                            args.vector_steps // sizes[-1])
                rows.append(java[0].measure(scale))
                rows[-1]["key"] = "java"
            if args.threads is None and threads > 1:  # what the server's default threads bring
                rows.append(vector(address, sizes[-1], True, vector_steps, seed, 1))
            rows.append(vector(address, sizes[-1], False, vector_steps, seed, args.threads))
            if sizes[-1] > 1:
                rows.append(vector_envpool(address, sizes[-1], vector_steps, seed))
                # with a policy in the loop: what overlapping the client's work with the server's brings
                rows.append(with_policy(address, sizes[-1], vector_steps // 2, seed, None))
                rows.append(with_policy(address, sizes[-1], vector_steps // 2, seed, max(1, sizes[-1] // 2)))
            if reference:
                rows += gymnasium_reference(steps, sizes[-1], seed)
                rows[-2]["key"], rows[-1]["key"] = "gym_single", "gym_vector"
            rows += client_python_cost(address, sizes[-1], seed, steps=int(20000 * scale))
            return rows

        if args.java:
            # Started now, so its JVM warms up (by as many batches as a round's N=64 row) with the server's
            # warm-up round; threads: what the server gives a vector env of this size.
            probe = gymrpc.make_vec(ENV_ID, sizes[-1], address=address, threads=args.threads)
            threads = probe.threads
            probe.close()
            java[0] = JavaInProcess(args.jar, args.heap, sizes[-1], threads, args.java_seconds,
                                    2 * args.vector_steps // sizes[-1])
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
        if java[0] is not None:
            java[0].close()
        if server is not None:
            server.stop()
    rows = combine(rounds)
    goal_ratios = ratios(rounds, sizes[-1])
    print_table(rows, goal_ratios, load_at_start, machine)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "load_at_start": load_at_start,
                                               "load_at_end": os.getloadavg()[0], "rows": rows,
                                               "ratios": goal_ratios}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

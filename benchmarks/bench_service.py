"""Benchmark: the decision service over HTTP on loopback, against decide() in-process.

Starts ``infoshare serve`` (a subprocess, on a free port on 127.0.0.1), then a concurrent client
(asyncio, one keep-alive HTTP/1.1 connection per concurrent caller, minimal parsing so the client
costs little CPU next to the server) posts the shipped example facts to POST /decide in turn for
a fixed time. Prints decisions/s, p50/p90/p99/max latency, the in-process rate of decide() on the
same facts and engine for comparison, and the targets (>= 2,000 decisions/s, p99 < 10 ms).
Client and server share the machine's cores, as they would on one 2-core host.

It also prints the CPU time each request cost the server (every worker; needs psutil) and the
client (on uvloop where installed), and from those the service's overhead per request: server CPU
per request minus the CPU of one in-process decide(): HTTP, routing, facts_from_dict,
decision_to_dict, JSON encoding. It is an estimate on the high side: it also counts decide()
running slower between requests than in a tight loop (caches). The load average is printed with
the figures: the machine may be shared.

Usage: python benchmarks/bench_service.py [--seconds 10] [--concurrency 8] [--workers 1] [--engine compiled]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Coroutine, TypeVar

from infoshare_rules import decide, facts_from_json

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "facts"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, engine: str, prepare: bool = True) -> subprocess.Popen:
    command = [sys.executable, "-m", "infoshare_rules", "serve", "--port", str(port), "--workers", str(workers), "--engine", engine]
    command.append("--prepare" if prepare else "--no-prepare")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + (300 if prepare else 60)  # serve prepares each worker's question index first (tens of seconds)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                if response.status == 200:
                    time.sleep(0.5 * workers)  # let every worker finish compiling
                    return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"server did not start: {server.stderr.read().decode() if server.stderr else ''}")


def requests_for(bodies: list[bytes], port: int) -> list[bytes]:
    head = "POST /decide HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    return [head.format(port=port, length=len(body)).encode() + body for body in bodies]


async def caller(port: int, requests: list[bytes], offset: int, stop_at: float, warm_until: float, latencies: list[float]) -> tuple[int, int]:
    """Post requests in turn on one connection until stop_at: (non-200 responses, requests sent, warm-up included)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index, errors = offset, 0
    try:
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                return errors, index - offset
            writer.write(requests[index % len(requests)])
            index += 1
            head = (await reader.readuntil(b"\r\n\r\n")).lower()
            start = head.index(b"content-length:") + 15
            await reader.readexactly(int(head[start : head.index(b"\r\n", start)]))
            if not head.startswith(b"http/1.1 200 "):
                errors += 1
            if started >= warm_until:
                latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def load(port: int, requests: list[bytes], seconds: float, concurrency: int, warmup: float) -> tuple[list[float], int, int]:
    """(latencies after the warm-up, non-200 responses, requests sent in all)."""
    latencies: list[float] = []
    begin = time.perf_counter()
    warm_until, stop_at = begin + warmup, begin + warmup + seconds
    counts = await asyncio.gather(*(caller(port, requests, i * 7, stop_at, warm_until, latencies) for i in range(concurrency)))
    return latencies, sum(errors for errors, _ in counts), sum(sent for _, sent in counts)


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run the client on uvloop where installed (the service extra has it): about a quarter less client CPU."""
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def client_loop() -> str:
    try:
        import uvloop  # noqa: PLC0415, F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def server_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of the server and its worker processes so far (None without psutil)."""
    try:
        import psutil  # noqa: PLC0415 (optional: only for the overhead figures)
    except ImportError:
        return None
    try:
        server = psutil.Process(pid)
        return sum(p.cpu_times().user + p.cpu_times().system for p in [server, *server.children(recursive=True)])
    except psutil.Error:
        return None


def in_process_cpu(facts: list, engine: str, seconds: float = 2.0) -> float:
    """CPU seconds of one decide() in this process, on the same facts and engine."""
    for fact in facts:
        decide(fact, engine=engine)  # warm
    count, begin, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - begin < seconds:
        decide(facts[count % len(facts)], engine=engine)
        count += 1
    return (time.process_time() - cpu) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--engine", default="compiled", choices=["compiled", "reference", "durable"])
    parser.add_argument("--no-prepare", action="store_true", help="Start the server with --no-prepare (no question index).")
    args = parser.parse_args()

    paths = sorted(EXAMPLES.glob("*.json"))
    bodies = [json.dumps(json.loads(p.read_text()), separators=(",", ":")).encode() for p in paths]
    facts = [facts_from_json(body) for body in bodies]
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(port, args.workers, args.engine, prepare=not args.no_prepare)
    try:
        server_cpu, client_cpu = server_cpu_seconds(server.pid), time.process_time()
        latencies, errors, sent = run(load(port, requests_for(bodies, port), args.seconds, args.concurrency, args.warmup))
        client_cpu = (time.process_time() - client_cpu) / sent
        server_after = server_cpu_seconds(server.pid)
        server_cpu = None if server_cpu is None or server_after is None else (server_after - server_cpu) / sent
    finally:
        server.terminate()
        server.wait(10)
        if server.stderr is not None:
            server.stderr.close()
    load_during = os.getloadavg()
    decide_cpu = in_process_cpu(facts, args.engine)
    latencies.sort()
    ms = lambda q: 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    rate = len(latencies) / args.seconds
    us = lambda seconds: f"{1e6 * seconds:6.0f} us"  # noqa: E731
    print(f"machine: {os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in load_before)} before, {' '.join(f'{x:.2f}' for x in load_during)} after the load")
    print(f"server: {args.workers} worker(s), engine {args.engine}; client: {args.concurrency} connections, {len(paths)} distinct cases, {client_loop()} loop")
    print(f"HTTP POST /decide : {rate:8.0f} decisions/s over {args.seconds:.0f} s ({len(latencies)} requests, {errors} non-200)")
    print(f"latency           : p50 {ms(0.50):.2f} ms  p90 {ms(0.90):.2f} ms  p99 {ms(0.99):.2f} ms  max {1000 * latencies[-1]:.2f} ms  mean {1000 * statistics.fmean(latencies):.2f} ms")
    print(f"decide() in-process: {1 / decide_cpu:8.0f} decisions/s on one core ({us(decide_cpu)} CPU each; service/in-process = {rate * decide_cpu:.2f})")
    if server_cpu is None:
        print("CPU per request   : server n/a (install psutil); client " + us(client_cpu))
    else:
        print(f"CPU per request   : server {us(server_cpu)}, client {us(client_cpu)}; service overhead (server - decide()) {us(server_cpu - decide_cpu)}")
    print(f"targets           : >= 2000 decisions/s: {'met' if rate >= 2000 else 'NOT met'}; p99 < 10 ms: {'met' if ms(0.99) < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()

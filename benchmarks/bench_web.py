"""Load on the web API: N concurrent clients on loopback checking channels for T seconds.

Starts ``mpokit serve`` (uvicorn, one process) on a free loopback port with a fresh store and
token, then runs N client tasks (httpx, one connection each) that POST the example channels
to ``/api/v1/check`` in turn, as fast as answers come, for T seconds. Prints requests, errors
(any non-200 or transport error), throughput and p50/p90/p99 latency.

    python benchmarks/bench_web.py [--clients 50] [--seconds 30]

The client and server share the machine: on a loaded host the figures measure the contention
as much as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FILES = ("parallel-method-b.yaml", "dr4-to-4xdr.yaml", "duplex-method-b.yaml")
MISTAKES = ("type-a-cord-between-dr4.yaml",)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(url: str, token: str, bodies: list[dict[str, str]], stop: float,
                  lat: list[float], errors: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as c:
        i = 0
        while time.perf_counter() < stop:
            body = bodies[i % len(bodies)]
            i += 1
            t0 = time.perf_counter()
            try:
                r = await c.post("/api/v1/check", json=body)
                if r.status_code != 200:
                    errors.append(f"HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)
            lat.append(time.perf_counter() - t0)


async def _load(url: str, token: str, clients: int, seconds: float) -> tuple[list[float],
                                                                                list[str]]:
    bodies = [{"text": (ROOT / "examples" / "channels" / f).read_text(), "file": f}
              for f in FILES]
    bodies += [{"text": (ROOT / "examples" / "mistakes" / f).read_text(), "file": f}
               for f in MISTAKES]
    lat: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(_client(url, token, bodies, stop, lat, errors)
                           for _ in range(clients)))
    return lat, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mpokit-bench-web-"))
    db = f"sqlite:///{tmp / 'qc.db'}"
    mpokit = [sys.executable, "-m", "mpokit"]
    token = subprocess.run([*mpokit, "token", "create", "bench", "--store", db], check=True,
                           capture_output=True, text=True).stdout.strip()
    port = _free_port()
    server = subprocess.Popen([*mpokit, "serve", "--port", str(port), "--store", db,
                               "--data-dir", str(tmp / "web"), "--no-example"],
                              stderr=subprocess.DEVNULL, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("the server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        t0 = time.perf_counter()
        lat, errors = asyncio.run(_load(url, token, args.clients, args.seconds))
        wall = time.perf_counter() - t0
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    ms = np.asarray(lat) * 1000
    p50, p90, p99 = np.percentile(ms, [50, 90, 99]) if ms.size else (np.nan,) * 3
    print(f"web check load: {args.clients} clients x {args.seconds:.0f} s on loopback, "
          f"{os.cpu_count()} CPUs")
    print(f"  requests {ms.size}, errors {len(errors)}"
          + (f" ({', '.join(sorted(set(errors)))})" if errors else ""))
    print(f"  throughput {ms.size / wall:.1f} req/s; latency p50 {p50:.0f} ms, p90 {p90:.0f} ms,"
          f" p99 {p99:.0f} ms")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

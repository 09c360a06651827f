"""HTTP load on loopback against a real gunicorn (2 workers), bounded in time and count.

Only ever targets 127.0.0.1. gunicorn is always terminated, also when a measurement fails.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import env

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LoadResult:
    path: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
        return ordered[index]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, cookie: str, timeout: float = 10.0) -> int:
    # gunicorn's sync workers close the connection after each response: one per request.
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": HOST})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(scale_name: str, workers: int = 2, ready_path: str = "/") -> Iterator[int]:
    port = free_port()
    log = (env.OUT / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter, loopback only
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"{HOST}:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env.environment(scale_name)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see gunicorn.log")
            try:
                _get(port, ready_path, "", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 30 s") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def load(
    port: int,
    path: str,
    cookie: str,
    *,
    seconds: float = 10.0,
    max_requests: int = 2000,
    threads: int = 4,
) -> LoadResult:
    result = LoadResult(path=path)
    lock = threading.Lock()
    issued = 0
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds
    finished = started

    def worker() -> None:
        nonlocal issued, finished
        while True:
            with lock:
                if issued >= max_requests or time.perf_counter() >= deadline:
                    return
                issued += 1
            t0 = time.perf_counter()
            try:
                status = str(_get(port, path, cookie))
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            t1 = time.perf_counter()
            with lock:
                result.latencies.append(t1 - t0)
                statuses[status] += 1
                finished = max(finished, t1)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=seconds + 30)
    result.requests = len(result.latencies)
    result.seconds = finished - started
    result.statuses = dict(statuses)
    result.errors = sum(n for status, n in statuses.items() if status != "200")
    return result

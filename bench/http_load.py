"""HTTP load on loopback against a real gunicorn, bounded in time and count.

Only ever targets 127.0.0.1. gunicorn is always terminated, also when a measurement fails.
gunicorn runs as docs/deploy.md says production does (``WORKERS``: 2 × cores + 1 sync
workers) unless told otherwise.

``python -m bench.http_load --scale small [--workers N] [--worker-class gthread --threads 4]``
runs only the mixed run (a contact's start page while report downloads run) against an
already generated bench database: the measurement behind docs/deploy.md's gunicorn settings.
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


# docs/deploy.md: sync workers, 2 × cores + 1.
WORKERS = 2 * (os.cpu_count() or 1) + 1
CONCURRENCIES = (1, 8, 32)
MIXED_DOWNLOADS = 3
# A request waiting this long counts as an error (a user gives up; the issue saw 30 s).
TIMEOUT = 30.0


def _get(port: int, path: str, cookie: str, timeout: float = TIMEOUT) -> int:
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
def gunicorn(
    scale_name: str,
    workers: int = WORKERS,
    ready_path: str = "/",
    *,
    worker_class: str = "sync",
    threads: int = 1,
) -> Iterator[int]:
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
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--timeout",
            "60",
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


# --- the mixed run: light pages while reports download --------------------------------------


def download_report(port: int, path: str, cookie: str) -> str:
    """One report download as a browser makes it; returns its final status (``"200"``).

    The one step to adapt when downloads become snapshots made by the task worker (request,
    wait for the snapshot, fetch the file): the mixed run only calls this.
    """
    try:
        return str(_get(port, path, cookie, timeout=120.0))
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__


@dataclass
class MixedResult:
    idle: LoadResult
    loaded: LoadResult
    downloads: int = 0
    download_errors: int = 0
    download_statuses: dict[str, int] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        idle, loaded = self.idle.percentile(0.5), self.loaded.percentile(0.5)
        if not idle or loaded is None:
            return None
        return loaded / idle


def mixed(
    port: int,
    light_path: str,
    light_cookie: str,
    download_path: str,
    download_cookie: str,
    *,
    seconds: float = 10.0,
    downloads: int = MIXED_DOWNLOADS,
) -> MixedResult:
    """A contact's start page one request at a time: first idle, then while ``downloads``
    report downloads run back to back (each in its own thread, as three users would)."""
    idle = load(port, light_path, light_cookie, seconds=seconds, max_requests=10_000, threads=1)
    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter[str] = Counter()

    def downloader() -> None:
        while not stop.is_set():
            status = download_report(port, download_path, download_cookie)
            with lock:
                statuses[status] += 1

    pool = [threading.Thread(target=downloader, daemon=True) for _ in range(downloads)]
    for thread in pool:
        thread.start()
    time.sleep(0.5)  # the downloads are under way before the first light request
    try:
        loaded = load(
            port, light_path, light_cookie, seconds=seconds, max_requests=10_000, threads=1
        )
    finally:
        stop.set()
        for thread in pool:
            thread.join(timeout=150)
    return MixedResult(
        idle=idle,
        loaded=loaded,
        downloads=sum(statuses.values()),
        download_errors=sum(n for status, n in statuses.items() if status != "200"),
        download_statuses=dict(statuses),
    )


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.http_load")
    parser.add_argument("--scale", choices=["full", "small", "tiny"], default="small")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--download", default="/werkgever/rapportage.xlsx")
    args = parser.parse_args(argv)
    os.environ["BENCH_SCALE"] = args.scale
    env.configure(args.scale)
    from django.conf import settings

    from bench.generate import Handles
    from bench.measures import client_for
    from peregister.accounts.models import User

    def cookie(username: str) -> str:
        client = client_for(User.objects.get(username=username))
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={client.cookies[name].value}"

    with gunicorn(
        args.scale, args.workers, worker_class=args.worker_class, threads=args.threads
    ) as port:
        result = mixed(
            port,
            "/",
            cookie(Handles.LARGE_DEPUTY),
            args.download,
            cookie(Handles.LARGE_ADMIN),
            seconds=args.seconds,
        )
    load_now = os.getloadavg()[0]
    print(
        f"gunicorn {args.worker_class} -w {args.workers} --threads {args.threads}: start page "
        f"p50 idle {(result.idle.percentile(0.5) or 0) * 1000:.1f} ms, "
        f"while {MIXED_DOWNLOADS} downloads run "
        f"{(result.loaded.percentile(0.5) or 0) * 1000:.1f} ms "
        f"(p99 {(result.loaded.percentile(0.99) or 0) * 1000:.1f} ms), "
        f"ratio {result.ratio or 0:.2f}; {result.downloads} downloads "
        f"({result.download_errors} errors), light errors "
        f"{result.idle.errors + result.loaded.errors}; load average {load_now:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

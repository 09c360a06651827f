"""HTTP load on loopback against a real gunicorn, bounded in time and count.

Only ever targets 127.0.0.1. gunicorn is always terminated, also when a measurement fails.
gunicorn runs as docs/deploy.md says production does (``WORKERS``: 2 × cores + 1 sync
workers) unless told otherwise, with the task worker (``manage.py run_worker``, the
database task backend) as a process of its own next to it: it makes every report file.

``python -m bench.http_load --scale small [--workers N] [--worker-class gthread --threads 4]``
runs only the mixed run (a contact's start page while report downloads run) against an
already generated bench database: the measurement behind docs/deploy.md's gunicorn settings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
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


@dataclass
class Answer:
    status: int
    body: bytes
    location: str
    cookies: dict[str, str]


def _request(
    port: int,
    path: str,
    cookie: str,
    timeout: float = TIMEOUT,
    *,
    method: str = "GET",
    form: dict[str, str] | None = None,
) -> Answer:
    # gunicorn's sync workers close the connection after each response: one per request.
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Cookie": cookie, "Host": HOST}
    body = None
    if form is not None:
        from urllib.parse import urlencode

        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                cookies[key.strip()] = val.strip()
        return Answer(response.status, data, response.getheader("Location") or "", cookies)
    finally:
        connection.close()


def _get(port: int, path: str, cookie: str, timeout: float = TIMEOUT) -> int:
    return _request(port, path, cookie, timeout).status


def _stop(process: subprocess.Popen[bytes], wait: float = 15) -> None:
    process.terminate()
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextlib.contextmanager
def task_worker(scale_name: str) -> Iterator[subprocess.Popen[bytes]]:
    """``manage.py run_worker`` as docs/deploy.md runs it in production: a process of its
    own, the database task backend, the bench's database and settings."""
    log = (env.OUT / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env={**os.environ, **env.environment(scale_name)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(0.5)
        if process.poll() is not None:
            raise RuntimeError(f"run_worker exited with {process.returncode}; see worker.log")
        yield process
    finally:
        # SIGTERM: it finishes the report in hand first (a large one takes seconds).
        _stop(process, wait=120)
        log.close()


@contextlib.contextmanager
def gunicorn(
    scale_name: str,
    workers: int = WORKERS,
    ready_path: str = "/",
    *,
    worker_class: str = "sync",
    threads: int = 1,
) -> Iterator[int]:
    """gunicorn on a free loopback port, with a task worker next to it (as production)."""
    port = free_port()
    with (
        task_worker(scale_name),
        _gunicorn(scale_name, port, workers, ready_path, worker_class, threads),
    ):
        yield port


@contextlib.contextmanager
def _gunicorn(
    scale_name: str, port: int, workers: int, ready_path: str, worker_class: str, threads: int
) -> Iterator[None]:
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
        yield
    finally:
        _stop(process)
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


REPORT_PAGE = "/werkgever/rapportage/"
REQUEST_FILE = "/werkgever/rapportage/bestand/"
# A download waiting longer than this for its file counts as an error.
DOWNLOAD_TIMEOUT = 300.0
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_POLL = re.compile(rb'id="report-snapshot"[^>]*data-poll="(\d+)"')
_XLSX_LINK = re.compile(rb'href="([^"]+/rapportage\.xlsx)"')


def download_report(
    port: int, cookie: str, stop: threading.Event | None = None, file_format: str = "xlsx"
) -> str | None:
    """One report download as a browser makes it; its outcome (``"200"``: the file came).

    The *Rapportage* page (its form's CSRF token), the POST that asks for a snapshot, the
    snapshot page it redirects to, that page again at its ``data-poll`` interval while the
    task worker makes the file (``static/js/poll.js``), then the file from the page's link.
    None when ``stop`` was set while waiting: abandoned, neither a download nor an error.
    """
    deadline = time.monotonic() + DOWNLOAD_TIMEOUT
    try:
        page = _request(port, REPORT_PAGE, cookie)
        token = _CSRF_INPUT.search(page.body)
        if page.status != 200 or token is None:
            return f"rapportage {page.status}"
        session = "; ".join([cookie, *(f"{k}={v}" for k, v in page.cookies.items())])
        asked = _request(
            port,
            REQUEST_FILE,
            session,
            method="POST",
            form={"csrfmiddlewaretoken": html.unescape(token.group(1).decode())},
        )
        if asked.status != 302 or "/rapportage/bestand/" not in asked.location:
            return f"request {asked.status}"
        snapshot_path = asked.location
        while True:
            shown = _request(port, snapshot_path, cookie)
            if shown.status != 200:
                return f"snapshot page {shown.status}"
            poll = _POLL.search(shown.body)
            if poll is None:
                break
            if time.monotonic() > deadline:
                return "timeout"
            if stop is not None and stop.wait(int(poll.group(1)) / 1000):
                return None
            if stop is None:
                time.sleep(int(poll.group(1)) / 1000)
        link = _XLSX_LINK.search(shown.body)
        if link is None:  # failed, or no longer current: the page says so, no file
            return "no file"
        file_path = html.unescape(link.group(1).decode())
        if file_format != "xlsx":
            file_path = file_path.removesuffix("xlsx") + file_format
        return str(_request(port, file_path, cookie, timeout=120.0).status)
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__


def _as_if_older(organisation_id: int) -> None:
    """Let the organisation's ready snapshots count as made more than ``REUSE_FOR`` ago, so
    the next request makes a new one, as it would five minutes later (a bench-only write)."""
    from django.db import close_old_connections
    from django.db.models import F

    from peregister.core import clock
    from peregister.reports.snapshot_models import ReportSnapshot
    from peregister.reports.snapshots import REUSE_FOR

    close_old_connections()
    ReportSnapshot.objects.filter(
        organisation_id=organisation_id,
        state=ReportSnapshot.State.READY,
        finished_at__gte=clock.now() - REUSE_FOR - dt.timedelta(minutes=1),
    ).update(finished_at=F("finished_at") - REUSE_FOR - dt.timedelta(minutes=1))


@dataclass(frozen=True)
class Downloader:
    """A manager downloading their organisation's report (cookie: their session)."""

    cookie: str
    organisation_id: int


def mixed_downloaders(cookie: Callable[[str], str]) -> list[Downloader]:
    """The managers of the large (20k), the 5k and the 1k organisation: three reports of
    different sizes in the worker's queue at once, as three organisations asking at the same
    time would put them there. ``cookie``: a session for a username."""
    from bench.generate import Handles

    mid = dict(zip(Handles.MID_ORG_IDS, Handles.MID_ADMINS, strict=True))
    return [
        Downloader(cookie(Handles.LARGE_ADMIN), Handles.LARGE_ORG_ID),
        *(Downloader(cookie(mid[org_id]), org_id) for org_id in reversed(Handles.MID_ORG_IDS)),
    ]


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
    downloaders: list[Downloader],
    *,
    seconds: float = 10.0,
) -> MixedResult:
    """A contact's start page one request at a time: first idle, then while each of
    ``downloaders`` downloads their organisation's report back to back (each in its own
    thread, as that many managers would).

    Every download is a new snapshot the task worker makes: three organisations never share
    one, and before each request the bench lets that organisation's last snapshot count as
    older than the reuse window (as if each manager asked every five minutes)."""
    idle = load(port, light_path, light_cookie, seconds=seconds, max_requests=10_000, threads=1)
    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter[str] = Counter()

    def downloader(who: Downloader) -> None:
        from django.db import connection

        try:
            while not stop.is_set():
                try:
                    _as_if_older(who.organisation_id)
                except Exception as exc:  # e.g. SQLite busy: counted, never a silent thread
                    status: str | None = f"bench {type(exc).__name__}"
                    stop.wait(1.0)
                else:
                    status = download_report(port, who.cookie, stop)
                if status is None:
                    return
                with lock:
                    statuses[status] += 1
        finally:
            connection.close()

    pool = [threading.Thread(target=downloader, args=(who,), daemon=True) for who in downloaders]
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
            thread.join(timeout=DOWNLOAD_TIMEOUT)
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
    parser.add_argument("--scale", choices=env.SCALES, default="small")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    os.environ["BENCH_SCALE"] = args.scale
    env.configure(args.scale)
    from django.conf import settings
    from django.core.management import call_command

    # Production's manifest static storage answers 500 for a page without collected files.
    call_command("collectstatic", interactive=False, verbosity=0)

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
            mixed_downloaders(cookie),
            seconds=args.seconds,
        )
    load_now = os.getloadavg()[0]
    print(
        f"gunicorn {args.worker_class} -w {args.workers} --threads {args.threads}: start page "
        f"p50 idle {(result.idle.percentile(0.5) or 0) * 1000:.1f} ms, "
        f"while {MIXED_DOWNLOADS} managers download reports "
        f"{(result.loaded.percentile(0.5) or 0) * 1000:.1f} ms "
        f"(p99 {(result.loaded.percentile(0.99) or 0) * 1000:.1f} ms), "
        f"ratio {result.ratio or 0:.2f}; {result.downloads} downloads "
        f"({result.download_errors} errors {result.download_statuses}), light errors "
        f"{result.idle.errors + result.loaded.errors}; load average {load_now:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A small HTTP client for the drills: one browser-like session (cookies, CSRF), spread over
the app processes as a load balancer would, that says what happened to every request."""

from __future__ import annotations

import http.client
import itertools
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    body: bytes = b""
    location: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400 and self.status != 0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Tally:
    """What every request got, counted across threads."""

    counts: dict[str, int] = field(default_factory=dict)
    answered: list[float] = field(default_factory=list)  # seconds after ``started``, each answer
    server_errors: list[float] = field(default_factory=list)  # the same, of each 5xx
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, key: str) -> None:
        at = time.monotonic() - self.started
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            self.answered.append(at)
            if key == "5xx":
                self.server_errors.append(at)


class Session:
    _addresses = itertools.count(1)

    def __init__(self, ports: list[int], tally: Tally) -> None:
        self.ports = ports
        self.turn = itertools.cycle(range(len(ports)))
        self.tally = tally
        self.cookies: dict[str, str] = {}
        # Each session is its own client behind the proxy (rate limits are per client).
        n = next(self._addresses)
        self.client_address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    def _once(
        self, port: int, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    cookie: SimpleCookie = SimpleCookie()
                    cookie.load(value)
                    for name, morsel in cookie.items():
                        self.cookies[name] = morsel.value
            return Answer(response.status, data, response.getheader("Location") or "")
        finally:
            connection.close()

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> Answer:
        """Sent to the next app process; a refused connection (that process is down) goes to
        the next, as a load balancer does; any other failure is no answer."""
        body = urllib.parse.urlencode(data or {}).encode() if method == "POST" else b""
        for _ in range(len(self.ports)):
            port = self.ports[next(self.turn)]
            origin = f"https://127.0.0.1:{port}"
            headers = {
                "Host": f"127.0.0.1:{port}",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": self.client_address,
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            }
            if method == "POST":
                headers.update(
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Origin": origin,
                        "Referer": origin + path,
                        "X-CSRFToken": self.csrf_token(),
                    }
                )
            try:
                answer = self._once(port, method, path, body, headers)
            except ConnectionRefusedError:
                self.tally.add("refused, sent to the other process")
                continue
            except OSError:
                answer = Answer(0)
            self.tally.add(f"{answer.status // 100}xx" if answer.status else "no answer")
            return answer
        self.tally.add("no process answered")
        return Answer(0)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> Answer:
        if not self.csrf_token():
            self.get("/account/inloggen/")
        return self.request("POST", path, data)

    def csrf_token(self) -> str:
        # "csrftoken", or "__Host-csrftoken" in production settings.
        return next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")

    def login(self, username: str, password: str, *, recovery_code: str = "") -> bool:
        """Log in; a beheerder (second factor mandatory) passes the second step with one of
        the recovery codes the drill seeded (``next_recovery_code``)."""
        self.get("/account/inloggen/")
        answer = self.post("/account/inloggen/", {"username": username, "password": password})
        if answer.status != 302:
            return False
        if not recovery_code:
            return True
        return self.post("/account/tweede-stap/", {"code": recovery_code}).status == 302

    def download_report(
        self, *, timeout: float = 60.0, each_poll: Callable[[], object] = lambda: None
    ) -> Answer:
        """The *rapportage* as CSV, as a browser gets it: the task worker makes the file (a
        report snapshot), so ask for it, poll its page until it offers the file, then fetch
        that. ``each_poll`` runs before each look (a drill without a worker process runs the
        worker's one cycle there). A refused step's answer, or ``Answer(0)`` when no file came
        within ``timeout``."""
        self.get("/werkgever/rapportage/")
        asked = self.post("/werkgever/rapportage/bestand/", {})
        if asked.status != 302:
            return asked
        page = urllib.parse.urlsplit(asked.location).path
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            each_poll()
            answer = self.get(page)
            if answer.status != 200:
                return answer
            if 'rapportage.csv"' in answer.text:
                return self.get(page + "rapportage.csv")
            time.sleep(0.5)
        return Answer(0)


# The drill beheerder's one-time recovery codes (seeded by drills.fault.seed): every login takes
# the next, so a copy restored from a backup still holds the ones not used before it.
RECOVERY_CODES = [f"drillcode{n:03d}" for n in range(100)]
_used_codes = iter(RECOVERY_CODES)
_codes_lock = threading.Lock()


def next_recovery_code() -> str:
    with _codes_lock:
        return next(_used_codes)

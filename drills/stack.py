"""The production topology on one machine: app processes (gunicorn), the task worker and an
SMTP catcher, each its own process with its own log file, configured as production is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import gunicorn

from peregister.statements.keyfile import ensure_key_file
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# gunicorn 25.1 added a control socket at one fixed path per user: processes started side by
# side would take it from each other. The drill does not need it.
NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (25, 1) else []


def signing_key(folder: Path) -> Path:
    """The PE-verklaring signing key production requires, outside the application."""
    path = folder / "statement-signing-key.pem"
    ensure_key_file(path)
    return path


def production_env(
    database_url: str, smtp_port: int, key_folder: Path, **extra: str
) -> dict[str, str]:
    """Production settings (DEBUG off, database task queue, SMTP without TLS), tuned for a
    short drill: retries after one second, a sweep that takes over after two, an attempt's
    lease of 10 x EMAIL_TIMEOUT = 20 s; log lines unmasked for the drill's leak scan."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "TESTING", "TASKS_BACKEND"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="drills.settings",
        DATABASE_URL=database_url,
        SECRET_KEY="drill-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        # Production requires the https address it signs into PE-verklaringen; nothing follows it.
        SITE_URL="https://pe-register.drill.invalid",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="2",
        OUTBOX_RETRY_SECONDS="1",
        OUTBOX_SWEEP_GRACE_SECONDS="2",
        WORKER_HEARTBEAT_MAX_AGE="30",
        # Behind a load balancer: the client address comes from X-Forwarded-For.
        RATELIMIT_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR",
        LOG_FORMAT="json",
        STATEMENT_SIGNING_KEY_FILE=str(signing_key(key_folder)),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


class Process:
    """A child in its own process group, so ``kill -9`` takes it and its children at once."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it open
        self.popen = subprocess.Popen(  # noqa: S603 - our own commands
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        log.close()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)


class App(Process):
    def __init__(self, name: str, env: dict[str, str], logs: Path, workers: int = 2) -> None:
        self.port = free_port()
        super().__init__(
            name,
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                *NO_CONTROL_SOCKET,
            ],
            env,
            logs,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60, path: str = "/healthz") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {path} in {timeout} s")


def worker(env: dict[str, str], logs: Path) -> Process:
    return Process("worker", [PYTHON, "manage.py", "run_worker", "--interval", "0.2"], env, logs)


def smtp_catcher(port: int, logs: Path) -> Process:
    return Process(
        "smtp",
        [PYTHON, "-m", "tests.smtp", "--port", str(port), "--log", str(logs / "smtp.jsonl")],
        dict(os.environ),
        logs,
    )


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

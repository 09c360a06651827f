"""Environment for the benchmark: its own database and production-like settings.

Must run before ``django.setup()``. SQLite in ``bench/out/bench.sqlite3`` unless
``DATABASE_URL`` is set (PostgreSQL: point it at a database of its own).
"""

from __future__ import annotations

import os
from pathlib import Path

from peregister.statements.keyfile import ensure_key_file

OUT = Path(__file__).resolve().parent / "out"
# Every bench entry point accepts the same scales (``bench.generate``: FULL, SMALL, TINY);
# bench.run hands its own to the child processes it starts.
SCALES = ("full", "small", "tiny")


def sqlite_path(scale_name: str = "full") -> Path:
    return OUT / ("bench.sqlite3" if scale_name == "full" else f"bench-{scale_name}.sqlite3")


BENCH_SECRET_KEY = "bench-only-secret-key-not-for-any-deployment-0123456789abcdefghij"  # noqa: S105


def signing_key_file() -> Path:
    """A bench-only PE-verklaring signing key (production settings require one)."""
    path = OUT / "statement-signing-key.pem"
    ensure_key_file(path)
    return path


def environment(scale_name: str = "full") -> dict[str, str]:
    """The variables the bench process and its gunicorn share."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_path(scale_name)}",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "STATEMENT_SIGNING_KEY_FILE": str(signing_key_file()),
        "DEBUG": "0",
        "TESTING": "0",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SITE_URL": "https://pe-register.bench.invalid",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        # As production: report files, imports and exports queued for ``run_worker``
        # (``bench.http_load.task_worker``), never made by a web worker.
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }


def configure(scale_name: str = "full") -> None:
    import django

    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment(scale_name))
    django.setup()


def vm_mb(field: str = "VmHWM") -> float:
    """This process's own memory figure from ``/proc/self/status`` (``VmHWM``: its peak
    resident size; ``VmRSS``: now), never an ``ru_maxrss`` inherited from a parent."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak() -> bool:
    """Start ``VmHWM`` again from the present size (Linux ``clear_refs`` 5); False when the
    kernel does not allow it (then the peak includes what came before)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True

"""Prepare the bench database: migrate, generate once, reuse afterwards."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable

from django.core.management import call_command
from django.db import connection

from bench import env
from bench.generate import SEED, Scale, database_is_empty, generate, is_generated, read_marker
from peregister.core import clock

# Dates are generated relative to the day of generation; older data is made again.
MAX_AGE = dt.timedelta(days=30)


class DatabaseNotEmpty(RuntimeError):
    pass


def prepare(
    scale: Scale, scale_name: str, *, log: Callable[[str], None] = print
) -> dict[str, object]:
    """Migrate and generate unless the marker says this database already holds ``scale``."""
    sqlite = connection.vendor == "sqlite"
    call_command("migrate", interactive=False, verbosity=0)
    marker = read_marker() or {}
    fresh = str(marker.get("anchor", "")) >= (clock.today() - MAX_AGE).isoformat()
    if is_generated(scale, SEED) and fresh:
        log(f"Reusing the generated database (generated on {marker.get('anchor')}).")
        return {"reused": True, **marker}
    if not database_is_empty():
        if sqlite and os.environ.get("DATABASE_URL", "").endswith(str(env.sqlite_path(scale_name))):
            log("The bench database holds other data (older generator or scale): recreating it.")
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                path = env.sqlite_path(scale_name).with_name(
                    env.sqlite_path(scale_name).name + suffix
                )
                path.unlink(missing_ok=True)
            call_command("migrate", interactive=False, verbosity=0)
        elif read_marker() is not None or os.environ.get("BENCH_FLUSH") == "1":
            log("Flushing the database (an older benchmark's data, or BENCH_FLUSH=1).")
            call_command("flush", interactive=False, verbosity=0)
        else:
            raise DatabaseNotEmpty(
                "The database in DATABASE_URL holds data that the benchmark did not generate. "
                "Point DATABASE_URL at a database of its own, or set BENCH_FLUSH=1 to empty it."
            )
    log(f"Generating the register ({scale}); this takes a few minutes at full scale…")
    started = time.perf_counter()
    counts = generate(scale, SEED, log=log)
    log(f"Generated in {time.perf_counter() - started:.0f} s: {counts}")
    return {"reused": False, **(read_marker() or {})}

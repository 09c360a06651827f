"""*Professionals importeren* of 100,000 rows, measured against a floor (issue 14).

Hooked into ``bench.run`` (``measure`` and ``bars``); on its own: ``python -m bench.intake
[--scale full|small|tiny] [--rows N]`` (develop with a small ``--rows``).

- **floor**: the same rows inserted with a bare bulk insert (the CSV parsed by the csv module,
  then ``bulk_create`` of the professionals, their registrations and first PE periods, 1,000
  rows a statement), in this process.
- **import**: what the task worker does for a large import, in a fresh process: read and check
  the stored file (``check_run``: a counting pass and a checking pass, progress kept on the
  run), then apply it (``apply_run``: checked again and written in batches in one
  transaction, one audit event). Its wall time against the floor's, and that process's peak
  resident size (``VmHWM``) after a warm-up import of 100 rows.

Both run inside a transaction that is rolled back: the bench database is left as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

from bench import env

MEASURE_NAME = "professionals import of 100,000 rows and its floor"  # as bench.run names it
ROWS = 100_000
# Bars (issue 14): within 3x a bare bulk insert of the same rows, and a flat memory.
IMPORT_RATIO = 3.0
PEAK_MB = 300.0
HEADER = (
    "registratienummer;register;voorletters;tussenvoegsel;achternaam;e-mailadres;"
    "geboortedatum;begindatum"
)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    from django.db import transaction

    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


def _letters(number: int) -> str:
    return "".join(chr(ord("a") + int(digit)) for digit in str(number))


def make_file(rows: int, tag: str) -> bytes:
    """A CSV as staff would upload it: UTF-8 with BOM, ``;``, every optional column filled."""
    started = dt.date.today() - dt.timedelta(days=400)
    lines = [HEADER]
    for i in range(rows):
        lines.append(
            f"{tag}{i:07d};up;A.B.;van der;Berg {_letters(i)};p{tag}{i}@bench.invalid;"
            f"01-02-1980;{started:%d-%m-%Y}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def _register() -> Any:
    from peregister.registry.models import Register

    register, _created = Register.objects.get_or_create(
        code="up",
        defaults={"name": "Uitzendprofessional", "points_required": 12, "period_months": 24},
    )
    return register


def floor_once(data: bytes) -> None:
    """The same rows in the same tables by the barest means: csv module, ``bulk_create``."""
    from peregister.core import clock
    from peregister.core.dates import parse_date
    from peregister.registry.intake import first_period_start
    from peregister.registry.models import PePeriod, Professional, Registration
    from peregister.registry.periods import period_end

    register = _register()
    today = clock.today()
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    next(reader)
    batch: list[list[str]] = []

    def flush() -> None:
        professionals = Professional.objects.bulk_create(
            Professional(
                registration_number=r[0],
                register=register,
                initials=r[2],
                name_prefix=r[3],
                last_name=r[4],
                email=r[5],
                date_of_birth=parse_date(r[6]),
            )
            for r in batch
        )
        registered_on = [parse_date(r[7]) or today for r in batch]
        registrations = Registration.objects.bulk_create(
            Registration(professional=p, register=register, registered_on=day)
            for p, day in zip(professionals, registered_on, strict=True)
        )
        periods = []
        for registration, day in zip(registrations, registered_on, strict=True):
            start = first_period_start(day, register.period_months, today)
            periods.append(
                PePeriod(
                    registration=registration,
                    start=start,
                    end=period_end(start, register.period_months),
                    points_required=register.points_required,
                )
            )
        PePeriod.objects.bulk_create(periods)
        batch.clear()

    for row in reader:
        batch.append(row)
        if len(batch) == 1000:
            flush()
    if batch:
        flush()


def import_once(data: bytes, staff: Any) -> dict[str, Any]:
    """A large import as the worker runs it: check, confirm, apply."""
    from peregister.backoffice.import_checking import apply_run, check_run
    from peregister.backoffice.import_runs import confirm_run, start_run
    from peregister.backoffice.models import ImportRun

    _register()
    run = start_run(actor=staff, data=data, file_name="bench.csv")
    checked = check_run(str(run.code))
    run.refresh_from_db()
    confirm_run(actor=staff, run=run)  # its queued task never runs: rolled back; run it here
    applied = apply_run(str(run.code))
    run = ImportRun.objects.get(pk=run.pk)
    return {"checked": checked, "applied": applied, "new": run.new, "errors": run.errors}


def _staff() -> Any:
    from peregister.accounts.models import User

    return User.objects.create(
        username=f"bench-intake-{uuid.uuid4().hex[:8]}", is_staff=True, is_active=True
    )


def _vm_hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not in /proc/self/status")


def child(rows: int) -> dict[str, Any]:
    """In a fresh process: a warm-up import of 100 rows, then the measured one."""
    with rolled_back():
        staff = _staff()
        import_once(make_file(100, "W"), staff)  # imports, translations, connection
        data = make_file(rows, "B")
        base = _vm_hwm_mb()
        started = time.perf_counter()
        outcome = import_once(data, staff)
        seconds = time.perf_counter() - started
        peak = _vm_hwm_mb()
    return {"seconds": seconds, "base_mb": round(base, 1), "peak_mb": round(peak, 1), **outcome}


def _child_run(rows: int) -> dict[str, Any]:
    scale_name = os.environ.get("BENCH_SCALE", "full")
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench.intake",
            "--scale",
            scale_name,
            "--rows",
            str(rows),
            "--child",
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
        env={**os.environ, **env.environment(scale_name)},
    )
    try:
        return dict(json.loads(completed.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"error": (completed.stderr or completed.stdout)[-500:]}


def measure(s: Any, reps: int, rows: int | None = None) -> list[Any]:
    """The hook for ``bench.run``: one ``Result`` of group ``intake``."""
    from bench.measures import Result

    rows = rows or int(os.environ.get("BENCH_INTAKE_ROWS", ROWS))
    data = make_file(rows, "F")
    with rolled_back():
        started = time.perf_counter()
        floor_once(data)
        floor = time.perf_counter() - started
    measured = _child_run(rows)
    result = Result(
        f"professionals import of {rows:,} rows",
        "intake",
        seconds=measured.get("seconds"),
        rows=rows,
        floor_seconds=floor,
        floor_name="csv module + bulk_create of the same rows (wall seconds, both)",
        peak_rss_mb=measured.get("peak_mb"),
        base_rss_mb=measured.get("base_mb"),
        extra={k: v for k, v in measured.items() if k not in ("seconds", "error")},
    )
    if "error" in measured:
        result.error = str(measured["error"])
    elif measured.get("applied") != "applied" or measured.get("new") != rows:
        result.error = f"the import did not apply every row: {measured}"
    return [result]


def bars(results: list[Any]) -> list[Any]:
    """PASS/FAIL for ``bench.run``; a missing or crashed measure is a FAIL, never silence."""
    from bench.run import Bar

    found = next((r for r in results if r.group == "intake"), None)
    if found is None or found.error or found.ratio is None:
        reason = (found.error if found else "") or "not measured"
        return [
            Bar(f"professionals import within {IMPORT_RATIO:g}x its floor", False, reason),
            Bar(f"professionals import peak memory < {PEAK_MB:g} MB", False, reason),
        ]
    peak = found.peak_rss_mb or 0.0
    return [
        Bar(
            f"professionals import within {IMPORT_RATIO:g}x its floor",
            found.ratio <= IMPORT_RATIO,
            f"{found.seconds:.1f} s against {found.floor_seconds:.1f} s "
            f"({found.ratio:.1f}x, {found.rows:,} rows)",
        ),
        Bar(
            f"professionals import peak memory < {PEAK_MB:g} MB",
            0 < peak < PEAK_MB,
            f"VmHWM {peak:.0f} MB (after the warm-up {found.base_rss_mb:.0f} MB)",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake")
    parser.add_argument("--scale", choices=env.SCALES, default="tiny")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ["BENCH_SCALE"] = args.scale
    env.configure(args.scale)
    if args.child:
        print(json.dumps(child(args.rows)))
        return 0
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    results = measure(None, 1, rows=args.rows)
    for result in results:
        print(f"{result.name}: {result.seconds}, floor {result.floor_seconds} {result.extra}")
        if result.error:
            print(f"  error: {result.error}")
    for bar in bars(results):
        print(f"  {'PASS' if bar.passed else 'FAIL'}  {bar.name}: {bar.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

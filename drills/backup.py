"""Backup and restore drill: ``pg_dump`` of the populated database (the fault drill's), restored
into a fresh database; migrations checked, the app started against the copy, every table's
row count and a *rapportage* download compared byte for byte with the original."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from drills.client import Session, Tally, next_recovery_code
from drills.cluster import Cluster
from drills.stack import App, manage, production_env
from tests.smtp import free_port

ORIGINAL, COPY = "fault", "restored"


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            (counts[table],) = connection.execute(query).fetchone() or (None,)
        return counts


def download_report(app: App) -> bytes:
    # The fault drill seeded its users with the factories' password (imported here: the
    # factories need Django, which the fault drill sets up).
    from tests.factories import PASSWORD

    session = Session([app.port], Tally())
    assert session.login("drill-beheerder", PASSWORD, recovery_code=next_recovery_code())
    # No worker process runs beside these apps: one worker cycle on the app's database per
    # look makes the file, as the worker would.
    answer = session.download_report(each_poll=lambda: manage(app.env, "run_worker", "--once"))
    assert answer.status == 200, answer.status
    return answer.body


def run(cluster: Cluster, logs: Path) -> tuple[bool, list[str]]:
    lines: list[str] = []
    ok = True

    def check(passed: bool, text: str) -> None:
        nonlocal ok
        ok &= passed
        lines.append(f"{'PASS' if passed else 'FAIL'} {text}")

    dump = Path(tempfile.mkdtemp(prefix="pe-drill-dump-")) / "register.dump"
    try:
        _dump_restore_and_compare(cluster, dump, logs, check, lines)
    finally:
        shutil.rmtree(dump.parent, ignore_errors=True)
    return ok, lines


def _dump_restore_and_compare(
    cluster: Cluster, dump: Path, logs: Path, check: Callable[[bool, str], None], lines: list[str]
) -> None:
    began = time.monotonic()
    cluster.dump(ORIGINAL, dump)
    dumped = time.monotonic() - began
    began = time.monotonic()
    cluster.restore(dump, COPY)
    restored = time.monotonic() - began
    lines.append(
        f"pg_dump {dumped:.1f} s ({dump.stat().st_size / 1024:.0f} KiB), restore {restored:.1f} s"
    )

    env = production_env(cluster.url(COPY), free_port(), logs)
    check_migrations = manage(env, "migrate", "--check", "--no-input")
    check(check_migrations.returncode == 0, "migrate --check on the copy: nothing left to apply")

    before, after = row_counts(cluster.url(ORIGINAL)), row_counts(cluster.url(COPY))
    differing = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
    check(
        not differing,
        f"row counts: {len(before)} tables, {sum(before.values())} rows in the original, "
        f"{sum(after.values())} in the copy; differing tables: {differing or 'none'}",
    )

    apps = [
        App("restore-original", production_env(cluster.url(ORIGINAL), free_port(), logs), logs, 1),
        App("restore-copy", env, logs, 1),
    ]
    try:
        for app in apps:
            app.start()
        for app in apps:
            app.wait_ready(path="/readyz")  # 200: database reachable, every migration applied
        with urllib.request.urlopen(apps[1].base + "/readyz", timeout=5) as answer:  # noqa: S310
            checks = json.loads(answer.read())["checks"]
        check(
            checks == {"database": "ok", "migrations": "ok"},
            f"/readyz of the app on the copy: {checks}",
        )
        original, copy = download_report(apps[0]), download_report(apps[1])
        check(
            original == copy and original.count(b"\n") > 1,
            f"rapportage.csv: {len(original)} bytes from the original, {len(copy)} from the "
            f"copy, {'identical' if original == copy else 'DIFFERENT'}",
        )
    finally:
        for app in apps:
            app.stop()

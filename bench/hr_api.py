"""Issue 16: the HR API's list of the large organisation (20,000 grants at full scale), a
full page walk, against the report's own floor, in the same run.

The subject is what an HR system does for a full sync: ``GET /api/v1/organisation/
professionals`` with an organisation token, page after page (``limit`` 1,000, the largest),
following ``next_cursor`` to the end: authentication, rate limit, the report scope, the row
generator, the recording for every professional's *Wie bekeek mijn dossier*, the JSON.
The recording is one event per token per Amsterdam day: the first walk (not timed) links
every professional to it, the timed walks are the same day's repeat syncs, which check the
links and write none.
The floor is the report's floor SQL (``bench/floors.py``: the same rows, the access rule
written out by hand, one statement) with the rows encoded by the ``json`` module alone;
the bare SQL alone is printed beside it. The two are interleaved; the token, the audit rows
and the rate-limit rows are rolled back afterwards.

``python -m bench.hr_api --scale small`` runs this measure alone (the database generated as
``bench.run`` does it).
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

MEASURE_NAME = "HR API: full page walk of the large organisation and its floor"
RESULT_NAME = "HR API list: full page walk (limit 1,000)"
RATIO = 1.5
LIMIT = 1000


def walk(client: Any, raw: str) -> tuple[int, int]:
    """Every page to the end; returns (rows, pages)."""
    rows = pages = 0
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": LIMIT}
        if cursor:
            params["cursor"] = cursor
        answer = client.get(
            "/api/v1/organisation/professionals", params, HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        if answer.status_code != 200:
            raise RuntimeError(f"HR API answered {answer.status_code}: {answer.content[:300]!r}")
        body = answer.json()
        rows += len(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, pages


def measure(s: Any, reps: int) -> list[Any]:
    """The hook for ``bench.run``: a ``Result`` of group ``api`` and its floors."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench import floors
    from bench.export import rolled_back
    from bench.generate import Handles
    from bench.measures import Result, interleaved
    from peregister.core import clock
    from peregister.reports import tokens

    reps = max(3, min(reps, 10))
    with rolled_back(), override_settings(API_REQUESTS_PER_MINUTE=100_000):
        user = get_user_model().objects.get(username=Handles.LARGE_ADMIN)
        raw = tokens.create_token(actor=user, name="bench")[1]
        client = Client()
        rows, pages = walk(client, raw)
        floor_rows = floors.json_alone(Handles.LARGE_ORG_ID, clock.now())
        if rows != floor_rows:
            raise RuntimeError(f"the API walked {rows} rows, the floor has {floor_rows}")
        with CaptureQueriesContext(connection) as captured:
            walk(client, raw)
        queries = len(captured.captured_queries)
        api_samples, floor_samples, sql_samples = interleaved(
            [
                lambda: walk(client, raw),
                lambda: floors.json_alone(Handles.LARGE_ORG_ID, clock.now()),
                lambda: floors.sql_only(Handles.LARGE_ORG_ID, clock.now()),
            ],
            reps,
        )
    return [
        Result(
            RESULT_NAME,
            "api",
            seconds=statistics.median(api_samples),
            samples=api_samples,
            rows=rows,
            queries=queries,
            floor_seconds=statistics.median(floor_samples),
            floor_name="report floor SQL + json module",
            bare_query_seconds=statistics.median(sql_samples),
            extra={"pages": pages, "queries_per_page": queries / pages},
        )
    ]


def bars(results: list[Any]) -> list[Any]:
    """PASS/FAIL for ``bench.run``; a missing or crashed measure is a FAIL, never silence."""
    from bench.run import Bar

    found = next((r for r in results if r.name == RESULT_NAME), None)
    crashed = next((r for r in results if r.name == MEASURE_NAME and (r.error or r.skipped)), None)
    if found is None or found.ratio is None:
        reason = f"crashed: {crashed.error or crashed.skipped}" if crashed else "not measured"
        return [Bar(f"{RESULT_NAME} within {RATIO}× its floor", False, reason)]
    bare = found.bare_query_seconds
    return [
        Bar(
            f"{RESULT_NAME} within {RATIO}× the report floor (SQL + json)",
            found.ratio <= RATIO,
            f"{found.rows:,} rows in {found.extra['pages']} pages, "
            f"{found.seconds * 1000:,.1f} ms vs {found.floor_seconds * 1000:,.1f} ms "
            f"= {found.ratio:.2f}× (bare SQL {bare * 1000:,.1f} ms = "
            f"{found.seconds / bare:.2f}×); {found.queries} queries, "
            f"{found.extra['queries_per_page']:.1f} per page",
        )
    ]


def main(argv: list[str]) -> int:
    """This measure alone: ``python -m bench.hr_api [--scale small] [--reps N]``."""
    import argparse
    import os

    from bench import env

    parser = argparse.ArgumentParser(prog="python -m bench.hr_api")
    parser.add_argument("--scale", choices=env.SCALES, default="full")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["BENCH_SCALE"] = args.scale
    env.configure(args.scale)
    from django.db import connection

    from bench import database
    from bench.generate import FULL, SMALL, TINY
    from bench.measures import Subjects
    from bench.run import _safe

    database.prepare({"full": FULL, "small": SMALL, "tiny": TINY}[args.scale], args.scale)
    started = time.perf_counter()
    results: list[Any] = []
    found = _safe(MEASURE_NAME, lambda: measure(Subjects.load(), args.reps), results)
    results.extend(found or [])
    print(f"{connection.vendor}, scale {args.scale}, {time.perf_counter() - started:.0f} s")
    for bar in bars(results):
        print(f"  {'PASS' if bar.passed else 'FAIL'}  {bar.name}: {bar.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

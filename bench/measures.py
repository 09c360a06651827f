"""Each measurement is one small function returning a ``Result``.

Measures whose code has not landed yet (an import or a URL that does not resolve) return a
result with ``skipped`` set instead of failing the run.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from bench import env, floors
from bench.generate import Handles
from bench.urls import LAYOUT_PATH, MINIMAL_PATH
from peregister.access import policies
from peregister.accounts import mfa
from peregister.accounts.models import User
from peregister.core import clock
from peregister.organisations.models import Contact
from peregister.registry.models import PePeriod, Professional

PAGE_SIZE = 50
SIZE_RATIO = 1.2  # issue 12: a list page within 1.2× between a 1k and a 20k organisation
STAFF_LIST_MS = 100.0  # issue 12: every staff list page under 100 ms at full data
STAFF_LISTS = {
    "renewals": "/register/verlengingen/",
    "lapsed registrations": "/register/registraties/vervallen/",
    "self-reports": "/register/eigen-activiteiten/",
    "learning activities": "/register/leeractiviteiten/",
}
LIST_PATH = "/werkgever/professionals/"
OWN_DOSSIER_PATH = "/mijn/dossier/"
REPORT_SCREEN_PATH = "/werkgever/rapportage/"


def report_file_path(viewer: User, kind: str) -> str:
    """The download of a made report snapshot (issue 12: the task worker makes the file; a
    download hands out what it made). Made here, in-process, as the worker would."""
    from peregister.reports.snapshot_making import make_snapshot
    from peregister.reports.snapshots import request_snapshot

    snapshot = request_snapshot(actor=viewer, scope=policies.report_scope_or_404(viewer))
    if snapshot.state == "queued":
        make_snapshot(str(snapshot.code))
    # A task worker (``bench.http_load.task_worker``) may be making it: wait, as its page does.
    deadline = time.monotonic() + 300
    while snapshot.in_progress and time.monotonic() < deadline:
        time.sleep(0.5)
        snapshot.refresh_from_db()
    if snapshot.state != "ready":
        raise RuntimeError(f"report snapshot {snapshot.code} is {snapshot.state}, not ready")
    return f"/werkgever/rapportage/bestand/{snapshot.code}/rapportage.{kind}"


class Skipped(Exception):
    pass


@dataclass
class Result:
    name: str
    group: str  # floor | report | page | http
    seconds: float | None = None
    samples: list[float] = field(default_factory=list)
    rows: int | None = None
    queries: int | None = None
    queries_small: int | None = None
    floor_seconds: float | None = None
    floor_name: str = ""
    bare_query_seconds: float | None = None
    status: int | None = None
    peak_rss_mb: float | None = None
    base_rss_mb: float | None = None
    tracemalloc_peak_mb: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""
    error: str = ""

    @property
    def ratio(self) -> float | None:
        if self.seconds is None or not self.floor_seconds:
            return None
        return self.seconds / self.floor_seconds


def median_time(fn: Callable[[], Any], reps: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def interleaved(fns: list[Callable[[], Any]], reps: int, warmup: int = 1) -> list[list[float]]:
    """Run the functions in turn, reversing the order every other repetition.

    Subject and floor then meet the same load from elsewhere on the (shared) machine, so
    their ratio holds even when the absolute figures drift.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for rep in range(reps):
        order = list(range(len(fns)))
        if rep % 2:
            order.reverse()
        for index in order:
            started = time.perf_counter()
            fns[index]()
            samples[index].append(time.perf_counter() - started)
    return samples


def _median(samples: list[float]) -> float:
    return statistics.median(samples)


# --- subjects -------------------------------------------------------------------------------


@dataclass
class Subjects:
    large_admin: User
    small_admin: User
    mid_admin: User  # the beheerder of the smallest mid-size organisation (1k at full scale)
    staff: User
    dossier_many: Professional  # visible to the large admin, most completions
    dossier_few: Professional  # visible to the large admin, fewest completions
    own_many: User  # a professional's login, most completions
    own_few: User
    list_count: int  # rows on the large admin's Professionals list (approximately)
    report_professionals: int
    search_term: str  # a last name on the mid-size and (common names) the large one's list

    @classmethod
    def load(cls) -> Subjects:
        large_admin = User.objects.get(username=Handles.LARGE_ADMIN)
        small_admin = User.objects.get(username=Handles.SMALL_ADMIN)
        mid_admin = User.objects.get(username=Handles.MID_ADMINS[0])
        visible = (
            policies.professionals_visible_to(large_admin)
            .annotate(n=Count("completions"))
            .order_by("-n", "id")
        )
        with_login = (
            Professional.objects.filter(user__isnull=False)
            .annotate(n=Count("completions"))
            .order_by("-n", "id")
        )
        return cls(
            large_admin=large_admin,
            small_admin=small_admin,
            mid_admin=mid_admin,
            staff=User.objects.get(username=Handles.STAFF),
            dossier_many=_one(visible),
            dossier_few=_one(visible.order_by("n", "id")),
            own_many=_one(with_login).user,
            own_few=_one(with_login.order_by("n", "id")).user,
            list_count=policies.professionals_visible_to(large_admin).count(),
            report_professionals=policies.report_professionals(large_admin).count(),
            search_term=_one(policies.professionals_visible_to(mid_admin).order_by("id")).last_name,
        )

    @property
    def last_page(self) -> int:
        return max((self.list_count + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _one(queryset: Any) -> Any:
    found = queryset.first()
    if found is None:
        raise RuntimeError("the generated database lacks a subject for the measures")
    return found


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    # The benchmark measures pages, not the login: the session has passed the second step
    # (a beheerder's must), as after the real login flow.
    session = client.session
    session[mfa.SESSION_VERIFIED] = True
    session.save()
    return client


# --- floors ---------------------------------------------------------------------------------


def floor_sql(s: Subjects, reps: int) -> Result:
    at = clock.now()
    rows = floors.sql_only(Handles.LARGE_ORG_ID, at)
    samples = median_time(lambda: floors.sql_only(Handles.LARGE_ORG_ID, at), reps)
    return Result("report rows: bare SQL", "floor", _median(samples), samples, rows=rows)


def floor_orm_values(s: Subjects, reps: int) -> Result:
    """The report's period query (registry querysets), as plain tuples: information only.

    Against the report's own period stream it shows what building model instances costs.
    """
    at = clock.now()

    def run_values() -> int:
        grants = policies.report_grants(s.large_admin, at)
        queryset = (
            PePeriod.objects.with_progress()
            .current(clock.local_date(at))
            .filter(registration__professional__in=grants.values("professional_id"))
            .order_by(
                "registration__professional__last_name",
                "registration__professional__initials",
                "registration__professional_id",
            )
            .values_list(
                "registration__professional__initials",
                "registration__professional__name_prefix",
                "registration__professional__last_name",
                "registration__professional__registration_number",
                "registration__register__name",
                "start",
                "end",
                "points_earned",
                "points_required",
                "renewal_status",
                "renewal_submitted_at",
            )
        )
        return sum(1 for _ in queryset.iterator(chunk_size=2000))

    rows = run_values()
    samples = median_time(run_values, reps)
    return Result(
        "report periods: ORM values_list",
        "floor",
        _median(samples),
        samples,
        rows=rows,
        extra={"note": "the report's period queryset as tuples (info)"},
    )


# --- the report -----------------------------------------------------------------------------


def _report_modules() -> tuple[Any, Any]:
    try:
        rows = importlib.import_module("peregister.reports.rows")
        render = importlib.import_module("peregister.reports.render")
    except ImportError as exc:
        raise Skipped(f"report code not there yet ({exc})") from exc
    return rows, render


def run_report(kind: str, viewer: User) -> int:
    """One report run as the download does it: rows → renderer → a file on disk."""
    rows_module, render = _report_modules()
    at = clock.now()
    rows = rows_module.report_rows(policies.report_scope_or_404(viewer, at))
    if kind == "csv":
        with (env.OUT / "report.csv").open("w", newline="", encoding="utf-8") as out:
            return int(render.write_csv(rows, out))
    return int(render.write_xlsx(rows, str(env.OUT / "report.xlsx")))


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def report(kind: str) -> Callable[[Subjects, int], list[Result]]:
    """The report and its floor (same rows by the library alone), measured interleaved."""

    def measure(s: Subjects, reps: int) -> list[Result]:
        path = env.OUT / f"floor.{kind}"
        alone = floors.csv_alone if kind == "csv" else floors.xlsx_alone
        rows = run_report(kind, s.large_admin)
        floor_rows = alone(Handles.LARGE_ORG_ID, clock.now(), path)
        floor_samples, samples = interleaved(
            [
                lambda: alone(Handles.LARGE_ORG_ID, clock.now(), path),
                lambda: run_report(kind, s.large_admin),
            ],
            reps,
            warmup=0,
        )
        library = "csv module" if kind == "csv" else "XlsxWriter"
        floor = Result(
            f"{kind.upper()} floor: SQL + {library}",
            "floor",
            _median(floor_samples),
            floor_samples,
            rows=floor_rows,
        )
        result = Result(
            f"report {kind.upper()} (rows + renderer)",
            "report",
            _median(samples),
            samples,
            rows=rows,
            queries=_queries(lambda: run_report(kind, s.large_admin)),
            queries_small=_queries(lambda: run_report(kind, s.small_admin)),
            floor_seconds=floor.seconds,
            floor_name=floor.name,
        )
        memory = report_memory(kind)
        result.peak_rss_mb = memory.get("peak_rss_mb")
        result.base_rss_mb = memory.get("base_rss_mb")
        result.tracemalloc_peak_mb = memory.get("tracemalloc_peak_mb")
        if "error" in memory:
            result.error = str(memory["error"])
        return [floor, result]

    return measure


def report_memory(kind: str) -> dict[str, Any]:
    """Peak memory of one report run, in a fresh process (``--child report-<kind>``)."""
    scale_name = os.environ.get("BENCH_SCALE", "full")
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.run", "--scale", scale_name, "--child", f"report-{kind}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **env.environment(scale_name)},
    )
    try:
        return dict(json.loads(completed.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"error": (completed.stderr or completed.stdout)[-500:]}


def child_report_memory(kind: str) -> dict[str, Any]:
    """In the child: its own resident size before and at the peak of one run (``VmHWM``,
    started again after the warm-up), then the Python-heap peak."""
    import tracemalloc

    viewer = User.objects.get(username=Handles.LARGE_ADMIN)
    small = User.objects.get(username=Handles.SMALL_ADMIN)
    run_report(kind, small)  # imports, translations, connection: not the report's memory
    if not env.reset_peak():
        raise Skipped("the kernel does not let a process reset its VmHWM (clear_refs)")
    base = env.vm_mb("VmRSS")
    rows = run_report(kind, viewer)
    peak = env.vm_mb("VmHWM")
    tracemalloc.start()
    run_report(kind, viewer)
    traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return {
        "rows": rows,
        "base_rss_mb": round(base, 1),
        "peak_rss_mb": round(peak, 1),
        "tracemalloc_peak_mb": round(traced, 1),
    }


# --- pages ----------------------------------------------------------------------------------


# Transaction control is not a query; writes (the audit event of a dossier view or download)
# cannot be replayed as captured (their ids are taken), so the floor holds the reads only.
_NOT_REPLAYED = (
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "BEGIN",
    "COMMIT",
    "INSERT",
    "UPDATE",
    "DELETE",
)


def _request(client: Client, path: str) -> Any:
    response = client.get(path)
    if getattr(response, "streaming", False):
        for _ in getattr(response, "streaming_content", ()):
            pass
    return response


def capture(client: Client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = _request(client, path)
    return response.status_code, [q["sql"] for q in captured.captured_queries]


# PostgreSQL streams ``.iterator()`` through a named server-side cursor; replay its query.
_DECLARE_CURSOR = re.compile(
    r"^\s*DECLARE\s+\S+\s+(?:NO\s+)?(?:SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+",
    re.IGNORECASE,
)


def bare_queries(statements: list[str]) -> Callable[[], None]:
    """The page's own reads, re-executed as captured."""
    statements = [
        _DECLARE_CURSOR.sub("", s)
        for s in statements
        if not s.lstrip().upper().startswith(_NOT_REPLAYED)
    ]

    def run() -> None:
        if not statements:
            return
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return run


def _resolvable(path: str) -> None:
    try:
        resolve(path.split("?")[0])
    except Resolver404 as exc:
        raise Skipped(f"{path.split('?')[0]} not routed yet") from exc


@dataclass
class Minimal:
    seconds: float
    statements: list[str]


def page(
    name: str,
    path: Callable[[Subjects], str],
    user: Callable[[Subjects], User],
    small: Callable[[Subjects], tuple[User, str]] | None,
    minimal: Minimal,
    *,
    bar: bool = True,
    max_reps: int | None = None,
    floor: Callable[[Subjects], Callable[[], Any]] | None = None,
    max_ms: float | None = None,
    page_ratio: float | None = None,
) -> Callable[[Subjects, int], Result]:
    """A page against its floor: the minimal view (same middleware, session, user) plus
    ``floor`` — the page's minimal equivalent (bare indexed SQL + a minimal template,
    ``bench/floors.py``) — or, for a page without one yet, its own reads replayed bare (which
    cannot catch slow SQL: named so in the results)."""

    def measure(s: Subjects, reps: int) -> Result:
        reps = min(reps, max_reps or reps)
        target = path(s)
        _resolvable(target)
        client = client_for(user(s))
        status, statements = capture(client, target)
        own = Counter(statements) - Counter(minimal.statements)
        equivalent = floor(s) if floor else bare_queries(list(own.elements()))
        if max_ms is not None and floor is None:  # judged by time alone: no replayed floor
            equivalent = _nothing
        minimal_samples, samples, bare_samples = interleaved(
            [
                lambda: client.get(MINIMAL_PATH),
                lambda: _request(client, target),
                equivalent,
            ],
            reps,
        )
        bare = _median(bare_samples)
        result = Result(
            name,
            "page",
            _median(samples),
            samples,
            queries=len(statements),
            status=status,
            bare_query_seconds=bare,
            floor_seconds=_median(minimal_samples) + bare,
            floor_name=(
                "minimal view + bare indexed SQL + minimal template"
                if floor
                else "minimal view + its own queries replayed"
            ),
            extra={
                "path": target,
                "bar": bar,
                "minimal_ms": _median(minimal_samples) * 1000,
                # Issue 12: lists and the rapportage within 1.5× their minimal equivalent,
                # the dossiers and the start page within 2×.
                "ratio": page_ratio or (1.5 if floor else 2.0),
                "max_ms": max_ms,
            },
        )
        if small is not None:
            small_user, small_path = small(s)
            small_status, small_statements = capture(client_for(small_user), small_path)
            result.queries_small = len(small_statements)
            result.extra["small_path"] = small_path
            result.extra["small_status"] = small_status
        return result

    return measure


def _nothing() -> None:
    return None


def flat_with_size(
    name: str, path: str, floor: Callable[[User], Callable[[], Any]]
) -> Callable[[Subjects, int], list[Result]]:
    """Issue 12: a page of 50 costs the same for the large organisation's beheerder as for the
    beheerder of a 1k organisation (the smallest mid-size one): both requests interleaved,
    the ratio of their medians within ``SIZE_RATIO``. The mid-size page against its own floor
    too, as the large one is."""

    def measure(s: Subjects, reps: int) -> list[Result]:
        _resolvable(path)
        large, mid = client_for(s.large_admin), client_for(s.mid_admin)
        status, statements = capture(large, path)
        mid_status, mid_statements = capture(mid, path)
        mid_floor = floor(s.mid_admin)
        minimal_samples, large_samples, mid_samples, floor_samples = interleaved(
            [
                lambda: mid.get(MINIMAL_PATH),
                lambda: _request(large, path),
                lambda: _request(mid, path),
                mid_floor,
            ],
            reps,
        )
        size = Result(
            f"{name}: large vs 1k organisation",
            "size",
            _median(large_samples),
            large_samples,
            queries=len(statements),
            queries_small=len(mid_statements),
            status=status if status != 200 else mid_status,
            floor_seconds=_median(mid_samples),
            floor_name="the same page for the smallest mid-size organisation",
            extra={"path": path, "ratio": SIZE_RATIO},
        )
        alone = Result(
            f"{name} (1k organisation)",
            "page",
            _median(mid_samples),
            mid_samples,
            queries=len(mid_statements),
            status=mid_status,
            bare_query_seconds=_median(floor_samples),
            floor_seconds=_median(minimal_samples) + _median(floor_samples),
            floor_name="minimal view + bare indexed SQL + minimal template",
            extra={"path": path, "ratio": 1.5},
        )
        return [size, alone]

    return measure


def measure_minimal(s: Subjects, reps: int) -> tuple[Result, Minimal]:
    client = client_for(s.large_admin)
    status, statements = capture(client, MINIMAL_PATH)
    samples = median_time(lambda: client.get(MINIMAL_PATH), reps, warmup=2)
    result = Result(
        "minimal view (same middleware)",
        "floor",
        _median(samples),
        samples,
        queries=len(statements),
        status=status,
    )
    return result, Minimal(result.seconds or 0.0, statements)


def measure_layout(s: Subjects, reps: int) -> Result:
    """Information: the empty site layout, to tell the layout's cost from the page's own."""
    client = client_for(s.large_admin)
    status, statements = capture(client, LAYOUT_PATH)
    samples = median_time(lambda: client.get(LAYOUT_PATH), reps, warmup=2)
    return Result(
        "empty layout page (base.html, info)",
        "floor",
        _median(samples),
        samples,
        queries=len(statements),
        status=status,
    )


def page_measures(minimal: Minimal) -> list[tuple[str, Callable[[Subjects, int], Any]]]:
    def admin(s: Subjects) -> User:
        return s.large_admin

    def dossier(p: Professional) -> str:
        return f"{LIST_PATH}{p.code}/"

    def search(s: Subjects) -> str:
        return f"{LIST_PATH}?q={s.search_term}"

    by_points = f"{LIST_PATH}?sort=-punten"
    by_forecast = f"{LIST_PATH}?sort=prognose"
    at_risk = f"{LIST_PATH}?risico=1"

    def contact_id(s: Subjects) -> int:
        return int(Contact.objects.filter(user=s.large_admin).values_list("pk", flat=True)[0])

    def list_floor(
        order: str = "name", search: bool = False, last: bool = False, at_risk: bool = False
    ) -> Any:
        def make(s: Subjects) -> Callable[[], Any]:
            return floors.list_page_floor(
                owner_id=contact_id(s),
                organisation=False,
                order=order,
                search=s.search_term if search else "",
                offset=(s.last_page - 1) * PAGE_SIZE if last else 0,
                at_risk=at_risk,
            )

        return make

    def contact_of(user: User) -> Contact:
        return Contact.objects.get(user=user)

    def open_dossier_floor(s: Subjects) -> Callable[[], Any]:
        contact = contact_of(s.large_admin)
        return floors.open_dossier_floor(
            contact_id=contact.pk,
            user_id=s.large_admin.pk,
            organisation_id=contact.organisation_id,
            code=s.dossier_many.code,
        )

    def own_dossier_floor(s: Subjects) -> Callable[[], Any]:
        return floors.own_dossier_floor(
            professional_id=Professional.objects.get(user=s.own_many).pk
        )

    def home_floor(s: Subjects) -> Callable[[], Any]:
        contact = contact_of(s.large_admin)
        return floors.home_floor(contact_id=contact.pk, organisation_id=contact.organisation_id)

    def size_floor(order: str) -> Callable[[User], Callable[[], Any]]:
        def make(user: User) -> Callable[[], Any]:
            return floors.list_page_floor(
                owner_id=contact_of(user).pk,
                organisation=False,
                order=order,
                search="",
                offset=0,
            )

        return make

    def report_floor(s: Subjects) -> Callable[[], Any]:
        return floors.list_page_floor(
            owner_id=Handles.LARGE_ORG_ID, organisation=True, order="name", search="", offset=0
        )

    specs: list[tuple[str, Any, Any, Any, dict[str, Any]]] = [
        (
            "Professionals, first page",
            lambda s: LIST_PATH,
            admin,
            lambda s: (s.mid_admin, LIST_PATH),
            {"floor": list_floor()},
        ),
        (
            "Professionals, search a last name",
            search,
            admin,
            lambda s: (s.mid_admin, search(s)),
            {"floor": list_floor(search=True)},
        ),
        (
            "Professionals, last page",
            lambda s: f"{LIST_PATH}?pagina={s.last_page}",
            admin,
            lambda s: (s.mid_admin, f"{LIST_PATH}?pagina=2"),
            {"floor": list_floor(last=True)},
        ),
        (
            "Professionals, sorted by points",
            lambda s: by_points,
            admin,
            lambda s: (s.mid_admin, by_points),
            {"floor": list_floor(order="points")},
        ),
        (
            "Professionals, sorted by forecast",
            lambda s: by_forecast,
            admin,
            lambda s: (s.mid_admin, by_forecast),
            {"floor": list_floor(order="forecast")},
        ),
        (
            "Professionals, only at risico",
            lambda s: at_risk,
            admin,
            lambda s: (s.mid_admin, at_risk),
            {"floor": list_floor(at_risk=True)},
        ),
        (
            "open dossier (employer)",
            lambda s: dossier(s.dossier_many),
            admin,
            lambda s: (s.large_admin, dossier(s.dossier_few)),
            {"floor": open_dossier_floor, "page_ratio": 2.0},
        ),
        (
            "own dossier (professional)",
            lambda s: OWN_DOSSIER_PATH,
            lambda s: s.own_many,
            lambda s: (s.own_few, OWN_DOSSIER_PATH),
            {"floor": own_dossier_floor, "page_ratio": 2.0},
        ),
        (
            "home (beheerder)",
            lambda s: "/",
            admin,
            lambda s: (s.small_admin, "/"),
            {"floor": home_floor, "page_ratio": 2.0},
        ),
        (
            "rapportage on screen",
            lambda s: REPORT_SCREEN_PATH,
            admin,
            lambda s: (s.small_admin, REPORT_SCREEN_PATH),
            {"floor": report_floor},
        ),
        (
            "rapportage.csv download (view)",
            lambda s: report_file_path(s.large_admin, "csv"),
            admin,
            lambda s: (s.small_admin, report_file_path(s.small_admin, "csv")),
            {"bar": False, "max_reps": 3},
        ),
        (
            "rapportage.xlsx download (view)",
            lambda s: report_file_path(s.large_admin, "xlsx"),
            admin,
            lambda s: (s.small_admin, report_file_path(s.small_admin, "xlsx")),
            {"bar": False, "max_reps": 3},
        ),
    ]
    for label, staff_path in STAFF_LISTS.items():
        specs.append(
            (
                f"staff list: {label}",
                lambda s, staff_path=staff_path: staff_path,
                lambda s: s.staff,
                None,  # constant queries per page: tests/test_staff_lists_paged.py
                {"max_ms": STAFF_LIST_MS},
            )
        )
    measures: list[tuple[str, Callable[[Subjects, int], Any]]] = [
        (name, page(name, path, user, small, minimal, **options))
        for name, path, user, small, options in specs
    ]
    measures += [
        (
            "Professionals, first page: large vs 1k organisation",
            flat_with_size("Professionals, first page", LIST_PATH, size_floor("name")),
        ),
        (
            "Professionals, sorted by points: large vs 1k organisation",
            flat_with_size("Professionals, sorted by points", by_points, size_floor("points")),
        ),
    ]
    return measures

"""*Mijn gegevens downloaden* for a large dossier, measured against floors.

Hooked into ``bench.run`` (``measure`` and ``bars``); on its own: ``python -m bench.export
[--scale tiny] [--reps N]``.

Subject: one professional with 1,000 completions, 500 *Wie bekeek mijn dossier* events, three
PE periods, 20 self-reports (ten with a 200 kB certificate) and five grants, made inside a
transaction that is rolled back, so the shared bench database is left as it was.

- **collect + JSON**: what the worker does before the PDF (``collect`` and ``write_json`` into
  a file), interleaved with its floor: the same rows read by hand-written SQL, one statement
  per table, and written by ``json.dump`` alone. In CPU seconds of the process: both are one
  thread of Python, and a shared machine's other load then does not decide the ratio.
- **whole export**: ``build_export`` as the worker runs it (collect, PDF, ZIP written as it goes
  to the exports storage), in CPU seconds against the same floor (wall time recorded too).
- **worker memory**: the peak resident size (``VmHWM``) of a fresh process that makes the
  export once after a warm-up export of a small dossier (imports, fonts), and that peak
  minus the warm-up's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench import env

MEASURE_NAME = "data export of a large dossier and its floor"  # as bench.run names it
COMPLETIONS = 1000
ACCESS_EVENTS = 500
SELF_REPORTS = 20
CERTIFICATE_BYTES = 200 * 1024
# Bars. The JSON half reads rows through the ORM into records and encodes them: a few times
# bare SQL + json.dump, never an order of magnitude.
JSON_RATIO = 4.0
# Guidance for the whole export, PDF included, in CPU seconds of the worker (wall time on a
# shared machine says more about the neighbours); the review measured 46 s before the rework.
GUIDE_EXPORT_CPU_SECONDS = 10.0
# The worker's peak while making it, and what making it adds to a warmed-up worker.
WORKER_PEAK_MB = 220.0
WORKER_GROWTH_MB = 100.0


@dataclass(frozen=True)
class Subject:
    professional_id: int
    completions: int
    access_events: int


def make_subject(completions: int = COMPLETIONS, access_events: int = ACCESS_EVENTS) -> Subject:
    """A professional with a large dossier (call inside a transaction that is rolled back)."""
    import datetime as dt

    from peregister.access.models import AccessGrant
    from peregister.accounts.models import User
    from peregister.audit.models import AuditEvent
    from peregister.core import clock
    from peregister.organisations.models import Contact, Organisation
    from peregister.registry import figures
    from peregister.registry.models import (
        Completion,
        LearningActivity,
        PePeriod,
        Professional,
        Register,
        Registration,
        SelfReport,
    )
    from peregister.registry.periods import period_end

    tag = uuid.uuid4().hex[:10]
    today = clock.today()
    now = clock.now()
    user = User.objects.create(username=f"bench-export-{tag}", email=f"{tag}@bench.invalid")
    register, _created = Register.objects.get_or_create(
        code="up",
        defaults={"name": "Uitzendprofessional", "points_required": 12, "period_months": 24},
    )
    professional = Professional.objects.create(
        user=user,
        registration_number=f"X{tag}",
        register=register,
        initials="B.",
        name_prefix="van 't",
        last_name="Groot & Zn",
    )
    start = today - dt.timedelta(days=365 * 5)
    registration = Registration.objects.create(
        professional=professional, register=register, registered_on=start
    )
    period_start = start
    while period_start <= today:
        PePeriod.objects.create(
            registration=registration,
            start=period_start,
            end=period_end(period_start, register.period_months),
            points_required=register.points_required,
        )
        period_start = period_end(period_start, register.period_months) + dt.timedelta(days=1)
    activities = LearningActivity.objects.bulk_create(
        LearningActivity(
            title=f"Bench-activiteit {i}: arbeidsrecht en flexwerk",
            provider=f"Opleider {i % 7}",
            kind=LearningActivity.Kind.WORKSHOP,
            points=1 + i % 4,
            recognised_from=start,
        )
        for i in range(25)
    )
    days = (today - start).days
    Completion.objects.bulk_create(
        Completion(
            professional=professional,
            activity=activities[i % len(activities)],
            title=activities[i % len(activities)].title,
            provider=activities[i % len(activities)].provider,
            kind=activities[i % len(activities)].kind,
            points=activities[i % len(activities)].points,
            completed_on=start + dt.timedelta(days=i * days // completions),
            source=Completion.Source.ATTENDANCE,
        )
        for i in range(completions)
    )
    figures.rebuild_figures(PePeriod.objects.filter(registration=registration))
    organisation = Organisation.objects.create(
        name=f"Bench Uitzendbureau {tag}",
        kvk_number=f"9{int(tag, 16) % 10**7:07d}",
        street="Stationsplein 1",
        postcode="3511 AB",
        city="Utrecht",
        phone="030-1234567",
        email=f"info-{tag}@bench.invalid",
        status=Organisation.Status.AUTHORISED,
    )
    contacts = []
    for i in range(5):
        contact_user = User.objects.create(
            username=f"bench-export-{tag}-{i}", email=f"{tag}-{i}@bench.invalid"
        )
        contacts.append(
            Contact.objects.create(
                organisation=organisation,
                user=contact_user,
                role=Contact.Role.CONTACT,
                name=f"Regiomanager {i}",
                email=contact_user.email,
            )
        )
        AccessGrant.objects.create(
            professional=professional, contact=contacts[-1], granted_at=now - dt.timedelta(days=i)
        )
    events = AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now - dt.timedelta(hours=i),
            action=AuditEvent.Action.DOSSIER_VIEWED,
            organisation=organisation,
            contact=contacts[i % len(contacts)],
            data={},
        )
        for i in range(access_events)
    )
    AuditEvent.professionals.through.objects.bulk_create(
        AuditEvent.professionals.through(auditevent_id=event.pk, professional_id=professional.pk)
        for event in events
    )
    certificate = b"%PDF-1.4\n" + os.urandom(CERTIFICATE_BYTES)
    SelfReport.objects.bulk_create(
        SelfReport(
            professional=professional,
            title=f"Congres {i}",
            provider="Flexcongres",
            kind=LearningActivity.Kind.PRESENTATION,
            completed_on=today - dt.timedelta(days=30 + i),
            description="Lezingen over wet- en regelgeving. " * 5,
            points_claimed=3,
            certificate=certificate if i % 2 == 0 else None,
            certificate_name="certificaat.pdf" if i % 2 == 0 else "",
            certificate_type="application/pdf" if i % 2 == 0 else "",
            submitted_at=now - dt.timedelta(days=i),
        )
        for i in range(SELF_REPORTS)
    )
    return Subject(professional.pk, completions, access_events)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone, files in the exports storage included."""
    from django.db import transaction
    from django.test.utils import override_settings

    with tempfile.TemporaryDirectory() as folder:
        storages = {
            "exports": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": folder},
            }
        }
        from django.conf import settings

        with override_settings(STORAGES={**settings.STORAGES, **storages}), transaction.atomic():
            yield
            transaction.set_rollback(True)


def export_once(subject: Subject) -> int:
    """``build_export`` as the worker runs it; returns the ZIP's size."""
    from peregister.core import clock
    from peregister.dataexport.building import build_export
    from peregister.dataexport.models import DataExport

    export = DataExport.objects.create(
        professional_id=subject.professional_id, requested_at=clock.now()
    )
    if not build_export(str(export.code)):
        raise RuntimeError("the export was not made")
    export.refresh_from_db()
    return int(export.size or 0)


def json_once(subject: Subject) -> None:
    """The product's part before the PDF: collect, then the JSON document into a file."""
    from peregister.core import clock
    from peregister.dataexport.collect import collect
    from peregister.dataexport.document import write_json
    from peregister.registry.models import Professional

    professional = Professional.objects.select_related("user").get(pk=subject.professional_id)
    at = clock.now()
    with tempfile.TemporaryFile() as target:
        write_json(collect(professional, at=at, today=clock.local_date(at)), target)


FLOOR_QUERIES = {
    "completions": """
        SELECT title, provider, kind, points, completed_on, source, registered_at
        FROM registry_completion WHERE professional_id = %s ORDER BY completed_on, id""",
    "periods": """
        SELECT p.start, p."end", p.points_required
        FROM registry_peperiod p JOIN registry_registration r ON r.id = p.registration_id
        WHERE r.professional_id = %s ORDER BY p.start""",
    "self_reports": """
        SELECT title, provider, kind, completed_on, description, points_claimed, submitted_at,
               status, points_awarded, decided_at, reason, certificate IS NOT NULL
        FROM registry_selfreport WHERE professional_id = %s ORDER BY submitted_at, id""",
    "grants": """
        SELECT o.name, c.name, g.granted_at, g.valid_until, g.revoked_at
        FROM access_accessgrant g JOIN organisations_contact c ON c.id = g.contact_id
        JOIN organisations_organisation o ON o.id = c.organisation_id
        WHERE g.professional_id = %s ORDER BY g.granted_at, g.id""",
    "access_log": """
        SELECT e.at, e.action, o.name, c.name
        FROM audit_auditevent e
        JOIN audit_auditevent_professionals l ON l.auditevent_id = e.id
        LEFT JOIN organisations_contact c ON c.id = e.contact_id
        LEFT JOIN organisations_organisation o ON o.id = e.organisation_id
        WHERE l.professional_id = %s ORDER BY e.at DESC, e.id DESC""",
}


def floor_once(subject: Subject) -> None:
    """The least any export of the same data does: read its rows bare, write them as JSON."""
    from django.db import connection

    document: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for name, sql in FLOOR_QUERIES.items():
            cursor.execute(sql, [subject.professional_id])
            document[name] = cursor.fetchall()
    with tempfile.TemporaryFile("w") as target:
        json.dump(document, target, default=str, ensure_ascii=False, indent=2)


def _interleaved_cpu(fns: list[Callable[[], Any]], reps: int) -> list[list[float]]:
    """``bench.measures.interleaved`` (same order, same warm-up), in CPU seconds of this
    process: the work is one thread of Python (SQLite in-process too), and the machine's
    other load does not count."""
    from bench.measures import interleaved

    samples: list[list[float]] = [[] for _ in fns]

    def timed(index: int, fn: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            started = time.process_time()
            fn()
            samples[index].append(time.process_time() - started)

        return run

    interleaved([timed(i, fn) for i, fn in enumerate(fns)], reps, warmup=1)
    return [own[1:] for own in samples]  # without the warm-up run


def measure(s: Any, reps: int) -> list[Any]:
    """The hook for ``bench.run``: ``Result`` rows of group ``export``."""
    from bench.measures import Result

    with rolled_back():
        subject = make_subject()
        json_samples, floor_samples = _interleaved_cpu(
            [lambda: json_once(subject), lambda: floor_once(subject)], max(reps, 5)
        )
        export_samples, cpu_samples = [], []
        size = 0
        for _ in range(max(2, reps // 2)):  # each run renders a long PDF
            started, cpu_started = _now(), time.process_time()
            size = export_once(subject)
            export_samples.append(_now() - started)
            cpu_samples.append(time.process_time() - cpu_started)
    floor = statistics.median(floor_samples)
    memory = worker_memory()
    rows = f"{COMPLETIONS} completions, {ACCESS_EVENTS} access events"
    json_result = Result(
        "export: collect + JSON (large dossier)",
        "export",
        seconds=statistics.median(json_samples),
        samples=json_samples,
        floor_seconds=floor,
        floor_name="bare SQL + json.dump (CPU seconds, both)",
        extra={"dossier": rows, "clock": "cpu"},
    )
    cpu = statistics.median(cpu_samples)
    whole = Result(
        "export: whole ZIP by the worker (large dossier)",
        "export",
        seconds=cpu,
        samples=cpu_samples,
        floor_seconds=floor,
        floor_name="bare SQL + json.dump (CPU seconds, both)",
        peak_rss_mb=memory.get("peak_mb"),
        base_rss_mb=memory.get("base_mb"),
        extra={
            "dossier": rows,
            "clock": "cpu",
            "zip_bytes": size,
            "wall_seconds": round(statistics.median(export_samples), 2),
            **memory,
        },
    )
    if "error" in memory:
        whole.error = str(memory["error"])
    return [json_result, whole]


def _now() -> float:
    return time.perf_counter()


def worker_memory() -> dict[str, Any]:
    """``VmHWM`` of a fresh process making the export (``python -m bench.export --child``)."""
    scale_name = os.environ.get("BENCH_SCALE", "full")
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.export", "--scale", scale_name, "--child"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, **env.environment(scale_name)},
    )
    try:
        return dict(json.loads(completed.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"error": (completed.stderr or completed.stdout)[-500:]}


def child_memory() -> dict[str, Any]:
    with rolled_back():
        small = make_subject(completions=10, access_events=5)
        export_once(small)  # imports, fonts, templates, connection: not the export's memory
        base = env.vm_mb()
        subject = make_subject()
        export_once(subject)
        peak = env.vm_mb()
    return {
        "base_mb": round(base, 1),
        "peak_mb": round(peak, 1),
        "growth_mb": round(peak - base, 1),
    }


def bars(results: list[Any]) -> list[Any]:
    """PASS/FAIL for ``bench.run``; a missing or crashed measure is a FAIL, never silence."""
    from bench.run import Bar

    by_name = {r.name: r for r in results if r.group == "export"}
    crashed = next((r for r in results if r.name == MEASURE_NAME and (r.error or r.skipped)), None)
    missing = f"crashed: {crashed.error or crashed.skipped}" if crashed else "not measured"
    out = []
    json_result = by_name.get("export: collect + JSON (large dossier)")
    whole = by_name.get("export: whole ZIP by the worker (large dossier)")
    if json_result is None or json_result.ratio is None:
        reason = json_result.error if json_result else missing
        out.append(Bar("export collect + JSON within its floor", False, reason or "no figure"))
    else:
        out.append(
            Bar(
                f"export collect + JSON within {JSON_RATIO:.0f}× bare SQL + json.dump (CPU)",
                json_result.ratio <= JSON_RATIO,
                f"{json_result.seconds * 1000:,.0f} ms vs {json_result.floor_seconds * 1000:,.0f} "
                f"ms = {json_result.ratio:.2f}×",
            )
        )
    if whole is None or whole.seconds is None:
        reason = whole.error if whole else missing
        out.append(Bar("export whole ZIP measured", False, reason or "no figure"))
        return out
    out.append(
        Bar(
            f"export worker peak memory under {WORKER_PEAK_MB:.0f} MB",
            whole.peak_rss_mb is not None and whole.peak_rss_mb < WORKER_PEAK_MB,
            f"VmHWM {whole.peak_rss_mb} MB"
            if whole.peak_rss_mb
            else f"not measured: {whole.error}",
        )
    )
    growth = whole.extra.get("growth_mb")
    out.append(
        Bar(
            f"export adds under {WORKER_GROWTH_MB:.0f} MB to a warmed-up worker",
            growth is not None and growth < WORKER_GROWTH_MB,
            f"{growth} MB over {whole.base_rss_mb} MB" if growth is not None else "not measured",
        )
    )
    out.append(
        Bar(
            f"export whole ZIP under {GUIDE_EXPORT_CPU_SECONDS:.0f} s of worker CPU",
            whole.seconds < GUIDE_EXPORT_CPU_SECONDS,
            f"{whole.seconds:.2f} s CPU ({whole.extra.get('wall_seconds')} s wall; "
            f"{whole.ratio:.0f}× bare SQL + json.dump, the PDF is most of it) for "
            f"{whole.extra.get('dossier')}",
            guidance=True,
        )
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export")
    parser.add_argument("--scale", choices=env.SCALES, default="tiny")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ["BENCH_SCALE"] = args.scale
    env.configure(args.scale)
    if args.child:
        print(json.dumps(child_memory()))
        return 0
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    results = measure(None, args.reps)
    for result in results:
        print(
            f"{result.name}: {result.seconds * 1000:,.0f} ms, floor "
            f"{result.floor_seconds * 1000:,.1f} ms ({result.ratio:.1f}×) {result.extra}"
        )
    for bar in bars(results):
        print(f"  {'PASS' if bar.passed else 'FAIL'}  {bar.name}: {bar.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark's generator at a tiny scale, so it cannot rot between benchmark runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from bench import floors
from bench.generate import TINY, Handles, generate, is_generated
from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.accounts.models import User
from peregister.core import clock
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import (
    Completion,
    LearningActivity,
    PePeriod,
    Professional,
    Registration,
)

pytestmark = pytest.mark.django_db


def _report_rows(admin: User, now: dt.datetime) -> int:
    from peregister.reports.rows import report_rows

    return sum(1 for _ in report_rows(policies.report_scope_or_404(admin, now)))


def test_generator_counts_and_grant_mix() -> None:
    counts = generate(TINY)

    assert is_generated(TINY)
    assert Professional.objects.count() == counts.professionals == TINY.professionals
    assert Completion.objects.count() == counts.completions == TINY.completions
    assert Organisation.objects.count() == TINY.organisations
    assert LearningActivity.objects.count() == TINY.activities
    assert Registration.objects.filter(register__code="up").count() == TINY.professionals
    today = clock.today()
    # Every registration has a current period; some professionals have earlier ones too.
    assert PePeriod.objects.current(today).count() == Registration.objects.count()
    # Some professionals hold a second registration (issue 12's data shape).
    assert Registration.objects.count() > TINY.professionals
    # A long tail: the busiest professional has many times the median's completions.
    per_professional = sorted(
        Professional.objects.annotate(n=Count("completions")).values_list("n", flat=True)
    )
    assert per_professional[-1] >= 5 * max(per_professional[len(per_professional) // 2], 1)
    # Organisations of the sizes the scale names, and audit tables as after a year.
    for org_id, size in zip(Handles.MID_ORG_IDS, TINY.mid_org_professionals, strict=True):
        mid = AccessGrant.objects.filter(contact__organisation_id=org_id)
        assert mid.values("professional").distinct().count() == size
    assert counts.audit_links >= TINY.professionals * TINY.audit_events_per_professional
    assert PePeriod.objects.count() > TINY.professionals
    # Completions copy their activity and count in a period of their professional.
    completion = Completion.objects.select_related("activity").first()
    assert completion is not None
    assert completion.activity is not None
    assert (completion.title, completion.points) == (
        completion.activity.title,
        completion.activity.points,
    )
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for professional_id, start, end in PePeriod.objects.values_list(
        "registration__professional_id", "start", "end"
    ):
        spans.setdefault(professional_id, []).append((start, end))
    for professional_id, day in Completion.objects.values_list("professional_id", "completed_on"):
        assert any(start <= day <= end for start, end in spans[professional_id])

    large = Organisation.objects.get(pk=Handles.LARGE_ORG_ID)
    assert large.status == Organisation.Status.AUTHORISED
    assert Contact.objects.filter(organisation=large, role="administrator").count() == 1
    grants = AccessGrant.objects.filter(contact__organisation=large)
    assert grants.values("professional").distinct().count() == TINY.large_org_professionals
    now = clock.now()
    states = {grant.state(now) for grant in grants}
    assert states == {
        AccessGrant.State.ACTIVE,
        AccessGrant.State.EXPIRED,
        AccessGrant.State.REVOKED,
    }

    admin = User.objects.get(username=Handles.LARGE_ADMIN)
    in_report = policies.report_professionals(admin, now).count()
    assert 0 < in_report < TINY.large_org_professionals
    assert policies.professionals_visible_to(admin, now).exists()
    assert User.objects.filter(username=Handles.SMALL_ADMIN).exists()
    assert Professional.objects.filter(user__isnull=False).exists()
    # Unique per (professional, activity, day), as the model's constraint demands.
    assert not (
        Completion.objects.values("professional", "activity", "completed_on")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    # The benchmark's hand-written floor SQL covers exactly the report's rows (a row per
    # current registration).
    assert floors.sql_only(Handles.LARGE_ORG_ID, now) == _report_rows(admin, now) > in_report


def test_the_export_measure_runs_and_a_missing_figure_fails_its_bar() -> None:
    """bench/export.py at a tiny size: the subject, the worker's export and the floor run; the
    bars say FAIL, not nothing, when the measure crashed."""
    from bench import export
    from bench.measures import Result

    with export.rolled_back():
        subject = export.make_subject(completions=30, access_events=10)
        assert export.export_once(subject) > 0
        export.json_once(subject)
        export.floor_once(subject)
    assert not Professional.objects.filter(pk=subject.professional_id).exists()  # rolled back
    crashed = [Result(export.MEASURE_NAME, "error", error="RuntimeError: boom")]
    bars = export.bars(crashed)
    assert bars
    assert not any(bar.passed for bar in bars)
    assert "boom" in bars[0].detail


def test_generated_figures_equal_a_recount_and_the_page_floors_read_them() -> None:
    """The generator writes rows directly, then stores the figures once: they must be right,
    or the benchmark would measure a register the product could never be in."""
    from peregister.registry import figures

    generate(TINY)
    assert not figures.stale_periods().exists()
    admin = Contact.objects.get(user__username=Handles.LARGE_ADMIN)
    page = floors.list_page_floor(
        owner_id=admin.pk, organisation=False, order="points", search="", offset=0
    )()
    from django.http import QueryDict

    from peregister.insight.listing import ListParams, professionals_page

    shown = professionals_page(admin.user, clock.now(), ListParams.from_query(QueryDict("")))
    assert page.count("<tr>") == len(shown.rows) > 0
    report = floors.list_page_floor(
        owner_id=Handles.LARGE_ORG_ID, organisation=True, order="name", search="", offset=0
    )()
    assert report.count("<tr>") > 0


def test_a_skipped_or_crashed_measure_is_a_failing_bar() -> None:
    from bench.measures import Result
    from bench.run import bars

    out = bars(
        [
            Result("Professionals, first page", "skipped", skipped="not routed yet"),
            Result("open dossier (employer)", "error", error="RuntimeError: boom"),
        ],
        [],
    )
    measured = {bar.name: bar for bar in out if bar.name.endswith(" measured")}
    skipped = measured["Professionals, first page measured"]
    crashed = measured["open dossier (employer) measured"]
    assert not skipped.passed
    assert "not routed yet" in skipped.detail
    assert not crashed.passed
    assert "boom" in crashed.detail


def test_the_csv_floor_writes_every_report_row(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL the floor is COPY (SELECT …) TO STDOUT; on SQLite the csv module."""
    generate(TINY)
    now = clock.now()
    admin = User.objects.get(username=Handles.LARGE_ADMIN)
    path = tmp_path / "floor.csv"
    written = floors.csv_alone(Handles.LARGE_ORG_ID, now, path)
    assert written == _report_rows(admin, now)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == written + 1  # the header
    assert all(line.count(";") >= 11 for line in lines[1:])


def test_the_completions_api_measure_runs_and_a_missing_figure_fails_its_bar() -> None:
    """bench/completions_api.py at a tiny size: the API batch and its floor register every row;
    the bar says FAIL, not nothing, when the measure crashed."""
    import datetime as dt

    from django.test import Client

    from bench import completions_api
    from bench.export import rolled_back
    from bench.measures import Result

    with rolled_back():
        subject = completions_api.make_subject(rows=30, days=5)
        subject.numbers = subject.numbers[:30]
        assert completions_api.api_once(Client(), subject, subject.first_day) == 30
        later = subject.first_day + dt.timedelta(days=1)
        assert completions_api.floor_once(subject, later) == 30
        assert Completion.objects.filter(activity_id=subject.activity_id).count() == 60
    assert not Completion.objects.filter(activity_id=subject.activity_id).exists()
    crashed = [Result(completions_api.MEASURE_NAME, "error", error="RuntimeError: boom")]
    [bar] = completions_api.bars(crashed)
    assert not bar.passed
    assert "boom" in bar.detail


def test_the_forecast_floors_run_and_pick_what_the_list_picks() -> None:
    """The hand-written floors of the list sorted by forecast and filtered on *risico* run on
    both databases and, on the generated register, name the rows the product shows."""
    import re

    from django.http import QueryDict

    from peregister.access import policies
    from peregister.insight.listing import ListParams, professionals_page

    generate(TINY)
    contact = Contact.objects.select_related("user").get(user__username=Handles.LARGE_ADMIN)
    for order, at_risk, query in [("forecast", False, "sort=prognose"), ("name", True, "risico=1")]:
        page = floors.list_page_floor(
            owner_id=contact.pk,
            organisation=False,
            order=order,
            search="",
            offset=0,
            at_risk=at_risk,
        )()
        shown = professionals_page(
            contact.user, clock.now(), ListParams.from_query(QueryDict(query))
        )
        floor_names = re.findall(r"<tr><td>([^<]*)</td>", page)
        assert len(floor_names) == len(shown.rows), query
        if at_risk:
            assert policies.live_grants_to_viewer(contact.user).exists()
            assert all(row.at_risk for row in shown.rows)


def test_the_hr_api_measure_walks_the_report_and_a_missing_figure_fails_its_bar() -> None:
    """bench/hr_api.py at the tiny scale: the page walk meets as many rows as the report's
    floor; the bar says FAIL, not nothing, when the measure crashed or was skipped."""
    from bench import hr_api
    from bench.measures import Result, Subjects

    generate(TINY)
    [result] = hr_api.measure(Subjects.load(), 3)
    assert result.rows == floors.sql_only(Handles.LARGE_ORG_ID, clock.now())
    assert result.ratio is not None
    [bar] = hr_api.bars([result])
    assert "rows in 1 pages" in bar.detail
    for failed in (
        Result(hr_api.MEASURE_NAME, "error", error="RuntimeError: boom"),
        Result(hr_api.MEASURE_NAME, "skipped", skipped="not there"),
    ):
        [bar] = hr_api.bars([failed])
        assert not bar.passed
    assert "boom" in hr_api.bars([Result(hr_api.MEASURE_NAME, "error", error="boom")])[0].detail


def test_the_size_and_mixed_run_bars_judge_their_ratios() -> None:
    """Issue 12: a list page within 1.2× between the 1k and the large organisation; the start
    page's p50 while three downloads run within 2× its idle p50, with zero errors and at
    least one file made meanwhile."""
    from bench.measures import Result
    from bench.run import bars

    def size(large: float) -> bool:
        result = Result("P: large vs 1k organisation", "size", large, floor_seconds=0.050)
        result.status, result.extra = 200, {"ratio": 1.2}
        # The other modules' bars (export, import, APIs) are left out: not measured here.
        [bar] = bars([result], [], lambda name: False)
        return bar.passed

    assert size(0.055)
    assert not size(0.070)

    def mixed(p50: float, idle: float, download_errors: int = 0, made: int = 3) -> list[bool]:
        row = {
            "name": "start page while 3 downloads run",
            "requests": 10,
            "statuses": {"200": 10},
            "mixed": True,
            "p50_ms": p50,
            "idle_p50_ms": idle,
            "downloads": 3,
            "download_errors": download_errors,
            "download_statuses": {"200": made - download_errors, "timeout": download_errors},
            "errors": download_errors,
        }
        return [bar.passed for bar in bars([], [row], lambda name: False)]

    assert mixed(30.0, 20.0) == [True, True]
    assert mixed(50.0, 20.0) == [True, False]
    assert mixed(30.0, 20.0, download_errors=1) == [False, True]
    # No file made while the start page was measured (no task worker at work): no pass.
    assert mixed(20.0, 20.0, made=0) == [True, False]


@pytest.mark.parametrize("module", ["bench.run", "bench.intake", "bench.export", "bench.hr_api"])
def test_every_bench_entry_point_takes_the_scales_the_bench_passes_on(module: str) -> None:
    """``bench.run --scale small`` hands its scale to the child measures (the intake's
    import among them): each accepts every scale, so none shows as FAIL for parsing it."""
    import subprocess
    import sys

    from bench import env

    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "{" + ",".join(env.SCALES) + "}" in completed.stdout
    assert set(env.SCALES) == {"full", "small", "tiny"}


@pytest.mark.django_db(transaction=True)
def test_a_bench_download_goes_the_way_a_browser_does(live_server, settings) -> None:  # type: ignore[no-untyped-def]
    """The mixed run's download: the rapportage page's CSRF token, the POST, the snapshot
    page until it offers the file, the file; the next one (made "five minutes later") is a
    new snapshot, not the reused one."""
    from urllib.parse import urlsplit

    from bench import http_load
    from peregister.audit.models import AuditEvent
    from peregister.reports.models import ReportSnapshot
    from tests import factories
    from tests.conftest import client_for

    organisation = factories.OrganisationFactory()
    administrator = factories.ContactFactory(
        organisation=organisation, role="administrator", name="Beheer"
    )
    registration = factories.RegistrationFactory()
    factories.PePeriodFactory(registration=registration)
    factories.AccessGrantFactory(contact=administrator, professional=registration.professional)
    name = settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client_for(administrator.user).cookies[name].value}"
    port = int(urlsplit(live_server.url).port or 0)

    assert http_load.download_report(port, cookie) == "200"
    assert http_load.download_report(port, cookie) == "200"  # reused: made < 5 minutes ago
    assert ReportSnapshot.objects.count() == 1
    http_load._as_if_older(organisation.pk)
    assert http_load.download_report(port, cookie, file_format="csv") == "200"
    assert ReportSnapshot.objects.count() == 2
    downloads = AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_DOWNLOADED)
    assert downloads.count() == 3
    # Someone without the report: the rapportage page refuses, no snapshot asked for.
    stranger = client_for(factories.ContactFactory(organisation=organisation).user)
    assert http_load.download_report(port, f"{name}={stranger.cookies[name].value}") != "200"
    assert ReportSnapshot.objects.count() == 2

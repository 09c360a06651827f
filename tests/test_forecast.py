"""The forecast and *risico* (``registry/periods.py``): Python and SQL agree, and every page
and file that shows a period shows them from the same rule."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import BooleanField, DateField, IntegerField, Value
from django.test.utils import CaptureQueriesContext

from peregister.access import policies
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, Register
from peregister.registry.periods import (
    PeriodStatus,
    at_risk_expression,
    forecast_expression,
    forecast_points,
    period_forecast,
)
from peregister.reports.rows import report_rows
from tests import factories
from tests.conftest import World, client_for

BATCH = 100
Case = tuple[int, int, dt.date, dt.date, dt.date, bool]


@pytest.mark.parametrize(
    ("earned", "today", "expected"),
    [
        # A 100-day period (2025-01-01 .. 2025-04-10).
        (0, dt.date(2025, 1, 1), 0),
        (1, dt.date(2025, 1, 1), 100),  # one point on day one: 100 at that pace
        (10, dt.date(2025, 1, 10), 100),  # 10 in 10 days of 100
        (10, dt.date(2025, 1, 11), 90),  # 10 × 100 // 11 = 90 (rounded down)
        (30, dt.date(2025, 4, 10), 30),  # the last day: what was earned
        (30, dt.date(2025, 6, 1), 30),  # after the end: what was earned
        (5, dt.date(2024, 12, 1), 500),  # before the start: counted as day one
    ],
)
def test_forecast_is_the_pace_so_far_to_the_end(earned: int, today: dt.date, expected: int) -> None:
    start, end = dt.date(2025, 1, 1), dt.date(2025, 4, 10)
    assert (end - start).days + 1 == 100
    assert forecast_points(points_earned=earned, start=start, end=end, today=today) == expected


@pytest.mark.parametrize(
    ("earned", "today", "approved", "at_risk"),
    [
        (4, dt.date(2025, 2, 19), False, False),  # day 50: 4 → 8 of 8 required
        (3, dt.date(2025, 2, 19), False, True),  # day 50: 3 → 6 < 8
        (8, dt.date(2025, 1, 2), False, False),  # behaald: never at risk
        (3, dt.date(2025, 2, 19), True, False),  # renewal approved: behaald
        (3, dt.date(2025, 5, 1), False, False),  # verlopen: no longer running
        # A quarter of the period (25 of 100 days) has to pass before there is a pace.
        (0, dt.date(2025, 1, 1), False, False),  # day 1: no pace to extrapolate yet
        (0, dt.date(2025, 1, 24), False, False),  # day 24: still less than a quarter
        (0, dt.date(2025, 1, 25), False, True),  # day 25: a quarter, 0 → 0 < 8
        (1, dt.date(2025, 1, 25), False, True),  # day 25: 1 → 4 < 8
        (2, dt.date(2025, 1, 25), False, False),  # day 25: 2 → 8 of 8
        (0, dt.date(2024, 12, 1), False, False),  # before the start
    ],
)
def test_at_risk_only_while_running_and_short(
    earned: int, today: dt.date, approved: bool, at_risk: bool
) -> None:
    start, end = dt.date(2025, 1, 1), dt.date(2025, 4, 10)
    forecast = period_forecast(
        points_earned=earned,
        points_required=8,
        start=start,
        end=end,
        today=today,
        renewal_approved=approved,
    )
    assert forecast.at_risk is at_risk


def _cases(count: int) -> list[Case]:
    rng = random.Random(20261130)
    cases: list[Case] = []
    start, end = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
    # The first day on which a quarter of the period has passed (elapsed × 4 ≥ total days).
    quarter = start + dt.timedelta(days=((end - start).days + 1 + 3) // 4 - 1)
    near_quarter = [quarter + dt.timedelta(days=d) for d in (-1, 0, 1)]
    for today in [start - dt.timedelta(days=3), start, start + dt.timedelta(days=1), end]:
        for required in [0, 1, 12, 40]:
            for earned in sorted({0, 1, required // 2, required - 1, required, required + 1}):
                cases.append((max(earned, 0), required, start, end, today, False))
    for today in near_quarter:
        for earned in range(0, 7):
            cases.append((earned, 12, start, end, today, False))
    for _ in range(count):
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        end = start + dt.timedelta(days=rng.choice([0, 1, 2, 3, 30, 364, 365, 730, 1825]))
        total = (end - start).days + 1
        if rng.random() < 0.3:  # around the quarter, where *risico* may begin
            today = start + dt.timedelta(days=(total + 3) // 4 - 1 + rng.randrange(-2, 3))
        else:
            today = start + dt.timedelta(days=rng.randrange(-40, total + 59))
        required = rng.choice([0, 1, 2, 5, 12, 20, 24, 40, 120, 200])
        earned = rng.randrange(0, required + 5)
        cases.append((earned, required, start, end, today, rng.random() < 0.1))
    return cases


def _sql(cases: list[Case]) -> list[tuple[int, bool]]:
    anchor = Register.objects.filter(pk=factories.RegisterFactory().pk)
    found: list[tuple[int, bool]] = []
    for offset in range(0, len(cases), BATCH):
        batch = cases[offset : offset + BATCH]
        annotations: dict[str, Any] = {}
        for index, (earned, required, start, end, today, approved) in enumerate(batch):
            values: dict[str, Any] = {
                "earned": Value(earned, output_field=IntegerField()),
                "start": Value(start, output_field=DateField()),
                "end": Value(end, output_field=DateField()),
                "today": Value(today, output_field=DateField()),
            }
            annotations[f"f{index}"] = forecast_expression(**values)
            annotations[f"r{index}"] = at_risk_expression(
                **values,
                required=Value(required, output_field=IntegerField()),
                approved=Value(approved, output_field=BooleanField()),
            )
        row = anchor.annotate(**annotations).values(*annotations).get()
        found.extend((row[f"f{i}"], bool(row[f"r{i}"])) for i in range(len(batch)))
    return found


@pytest.mark.django_db
def test_sql_forecast_agrees_with_python_for_many_cases() -> None:
    cases = _cases(1500)
    expected = []
    for earned, required, start, end, today, approved in cases:
        forecast = period_forecast(
            points_earned=earned,
            points_required=required,
            start=start,
            end=end,
            today=today,
            renewal_approved=approved,
        )
        expected.append((forecast.points, forecast.at_risk))
    assert _sql(cases) == expected
    assert {risk for _, risk in expected} == {True, False}
    # The quarter boundary is crossed both ways: short forecasts before it are not *risico*.
    short_before_quarter = [
        case
        for case, (points, risk) in zip(cases, expected, strict=True)
        if not risk
        and points < case[1]
        and not case[5]
        and case[0] < case[1]
        and case[3] >= case[4] >= case[2]
    ]
    assert short_before_quarter


def test_with_forecast_on_stored_periods_agrees_with_the_rows(world: World) -> None:
    """The queryset form (lists filter and sort on it) and the report row (screen, files,
    API) agree on stored periods."""
    today = clock.today()
    for earned, days_ago in [(0, 10), (1, 300), (6, 365), (12, 20), (2, 700)]:
        registration = factories.RegistrationFactory()
        factories.PePeriodFactory(
            registration=registration,
            start=today - dt.timedelta(days=days_ago),
            end=today - dt.timedelta(days=days_ago) + dt.timedelta(days=729),
            points_required=12,
        )
        if earned:
            factories.CompletionFactory(
                professional=registration.professional, points=earned, completed_on=today
            )
        factories.AccessGrantFactory(
            professional=registration.professional, contact=world.administrator
        )
    scope = policies.report_scope_or_404(world.administrator.user, clock.now())
    rows = {row.registration_id: row for row in report_rows(scope)}
    stored = PePeriod.objects.current(today).with_forecast(today)
    seen = set()
    for period in stored.filter(registration_id__in=rows):
        row = rows[period.registration_id]
        assert (row.forecast_points, row.at_risk) == (period.forecast_points, period.at_risk)
        progress = period.progress(today)
        assert (progress.forecast_points, progress.at_risk) == (row.forecast_points, row.at_risk)
        seen.add(row.at_risk)
    assert seen == {True, False}


def test_a_row_without_period_has_no_forecast(world: World) -> None:
    factories.AccessGrantFactory(professional=world.other_professional, contact=world.deputy)
    scope = policies.report_scope_or_404(world.administrator.user, clock.now())
    [row] = [r for r in report_rows(scope) if r.professional_id == world.other_professional.pk]
    assert (row.forecast_points, row.at_risk) == (None, False)


def test_statuses_met_and_expired_are_never_at_risk() -> None:
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    for status in (PeriodStatus.MET, PeriodStatus.EXPIRED):
        forecast = period_forecast(
            points_earned=0, points_required=10, start=start, end=end, today=start, status=status
        )
        assert not forecast.at_risk


# --- the Professionals list: sort and filter on the forecast -------------------------------

LIST = "/werkgever/professionals/"


def _names(body: str) -> list[str]:
    return re.findall(r'<th scope="row" id="prof-\d+">([^<]+)</th>', body)


def _on_pace(world: World, last_name: str, points: int, *, days_ago: int = 365) -> None:
    """A professional 366 days into a 730-day period needing 12, with ``points``."""
    today = clock.today()
    registration = factories.RegistrationFactory(
        professional=factories.ProfessionalFactory(initials="P", last_name=last_name)
    )
    start = today - dt.timedelta(days=days_ago)
    factories.PePeriodFactory(
        registration=registration,
        start=start,
        end=start + dt.timedelta(days=729),
        points_required=12,
    )
    if points:
        factories.CompletionFactory(
            professional=registration.professional, points=points, completed_on=today
        )
    factories.AccessGrantFactory(professional=registration.professional, contact=world.deputy)


def test_the_list_sorts_and_filters_on_the_forecast(world: World) -> None:
    # Day 366 of 730: forecast = points × 730 // 366.
    _on_pace(world, "Ruim", 8)  # 15: no risk
    _on_pace(world, "Krap", 5)  # 9: risico (and achter: 5 < 6)
    _on_pace(world, "Nul", 0)  # 0: risico
    _on_pace(world, "Precies", 6)  # 11: risico, yet op schema (6 ≥ 12 × 366 // 730 = 6)
    client = client_for(world.deputy.user)
    by_forecast = _names(client.get(LIST, {"sort": "prognose"}).content.decode())
    assert by_forecast == ["P Nul", "P Krap", "P Precies", "P Ruim"]
    descending = _names(client.get(LIST, {"sort": "-prognose"}).content.decode())
    assert descending == ["P Ruim", "P Precies", "P Krap", "P Nul"]
    body = client.get(LIST, {"risico": "1", "sort": "naam"}).content.decode()
    assert _names(body) == ["P Krap", "P Nul", "P Precies"]
    assert "3 professionals gevonden." in body
    # Sorting keeps the filter; garbage in the filter is no filter.
    assert "risico=1" in body.split('aria-sort="none"><a href="?', 1)[1][:40]
    assert len(_names(client.get(LIST, {"risico": "ja\x00"}).content.decode())) == 4


def test_the_risk_filter_counts_past_the_first_page(world: World) -> None:
    from django.http import QueryDict

    from peregister.core.pagination import PAGE_PARAM
    from peregister.insight.listing import PAGE_SIZE, ListParams, professionals_page

    for index in range(PAGE_SIZE + 2):
        _on_pace(world, f"Achter{index:03d}", 1)
    _on_pace(world, "Ruim", 12)
    page = professionals_page(
        world.deputy.user, clock.now(), ListParams.from_query(QueryDict(f"risico=1&{PAGE_PARAM}=2"))
    )
    assert (page.total, page.professionals, len(page.rows)) == (PAGE_SIZE + 2, PAGE_SIZE + 2, 2)
    assert all(row.at_risk for row in page.rows)


def test_filter_and_sort_cost_the_same_queries_whatever_the_rows(world: World) -> None:
    def queries() -> int:
        client = client_for(world.deputy.user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST, {"risico": "1", "sort": "-prognose"}).status_code == 200
        return len(captured)

    _on_pace(world, "Een", 1)
    few = queries()
    for index in range(12):
        _on_pace(world, f"Meer{index}", index % 3)
    assert queries() == few


def test_the_dossier_pages_show_the_forecast_and_how_it_is_computed(world: World) -> None:
    _on_pace(world, "Krap", 5)  # 5 × 730 // 366 = 9 of 12
    krap = Professional.objects.get(last_name="Krap")
    explanation = "als het tempo tot nu toe zo doorgaat"
    own = client_for(krap.user).get("/mijn/dossier/").content.decode()
    assert "Prognose aan het einde van de periode: 9 punten." in own
    assert explanation in own
    assert "lager is dan het vereiste aantal punten, zodra een kwart van de periode" in own
    assert "risico" in own
    dossier = client_for(world.deputy.user).get(f"/werkgever/professionals/{krap.code}/")
    assert "Prognose aan het einde van de periode: 9 punten." in dossier.content.decode()

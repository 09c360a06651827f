"""The status summary in SQL agrees with ``period_status`` (the one definition) and the rows."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from django.db.models import BooleanField, DateField, IntegerField, Value

from peregister.access import policies
from peregister.core import clock
from peregister.registry.models import Register, RenewalSubmission
from peregister.registry.periods import period_end, period_status, status_expression
from peregister.reports.rows import NO_PERIOD, report_rows
from peregister.reports.summary import status_counts
from tests import factories
from tests.conftest import World

# Cases per query: each case is one annotation on a single-row query.
BATCH = 150


def _edge_cases() -> list[tuple[int, int, dt.date, dt.date, dt.date, bool]]:
    """(earned, required, start, end, today, approved) at the boundaries of every rule."""
    start, end = dt.date(2025, 1, 1), dt.date(2026, 12, 31)  # 730 days
    cases = []
    for today in [
        start - dt.timedelta(days=3),
        start,
        start + dt.timedelta(days=1),
        start + dt.timedelta(days=364),
        start + dt.timedelta(days=365),
        end - dt.timedelta(days=1),
        end,
        end + dt.timedelta(days=1),
        end + dt.timedelta(days=400),
    ]:
        for required in [0, 1, 12, 40]:
            for earned in sorted({0, 1, required // 2, required - 1, required, required + 1}):
                for approved in (False, True):
                    cases.append((earned, required, start, end, today, approved))
    return cases


def _generated_cases(count: int) -> list[tuple[int, int, dt.date, dt.date, dt.date, bool]]:
    rng = random.Random(20261129)
    cases = []
    for _ in range(count):
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        end = start + dt.timedelta(days=rng.choice([1, 2, 30, 364, 365, 730, 731, 1095]))
        today = start + dt.timedelta(days=rng.randrange(-40, (end - start).days + 60))
        required = rng.choice([0, 1, 2, 5, 12, 20, 24, 40, 120])
        earned = rng.randrange(0, required + 5)
        cases.append((earned, required, start, end, today, rng.random() < 0.1))
    return cases


def _sql_statuses(cases: list[tuple[int, int, dt.date, dt.date, dt.date, bool]]) -> list[str]:
    anchor = Register.objects.filter(pk=factories.RegisterFactory().pk)
    statuses: list[str] = []
    for offset in range(0, len(cases), BATCH):
        batch = cases[offset : offset + BATCH]
        annotations: dict[str, Any] = {
            f"s{index}": status_expression(
                earned=Value(earned, output_field=IntegerField()),
                required=Value(required, output_field=IntegerField()),
                start=Value(start, output_field=DateField()),
                end=Value(end, output_field=DateField()),
                today=Value(today, output_field=DateField()),
                approved=Value(approved, output_field=BooleanField()),
            )
            for index, (earned, required, start, end, today, approved) in enumerate(batch)
        }
        row = anchor.annotate(**annotations).values(*annotations).get()
        statuses.extend(row[f"s{index}"] for index in range(len(batch)))
    return statuses


@pytest.mark.django_db
def test_sql_status_agrees_with_period_status_for_many_cases() -> None:
    cases = _edge_cases() + _generated_cases(2000)
    expected = [
        str(
            period_status(
                points_earned=earned,
                points_required=required,
                start=start,
                end=end,
                today=today,
                renewal_approved=approved,
            ).value
        )
        for earned, required, start, end, today, approved in cases
    ]
    assert _sql_statuses(cases) == expected
    # The cases reach every status.
    assert set(expected) == {"met", "expired", "behind", "on_track"}


def _varied_report(world: World, rng: random.Random) -> None:
    """Professionals with current, lapsed, several and no periods, points and renewals."""
    backoffice = factories.RegisterFactory(code="bo", name="Backofficeprofessional")
    today = clock.today()
    for index in range(40):
        professional = factories.ProfessionalFactory(last_name=f"Gevarieerd{index % 7}")
        factories.AccessGrantFactory(professional=professional, contact=world.deputy)
        for register in [factories.RegisterFactory(), backoffice][: index % 3]:
            registration = factories.RegistrationFactory(
                professional=professional, register=register
            )
            start = today - dt.timedelta(days=rng.randrange(0, 900))
            if index % 5 == 0:  # an earlier period too: only the latest started one counts
                factories.PePeriodFactory(
                    registration=registration,
                    start=start - dt.timedelta(days=731),
                    end=start - dt.timedelta(days=1),
                )
            end = period_end(start, 24)
            period = factories.PePeriodFactory(
                registration=registration,
                start=start,
                end=end,
                points_required=rng.choice([0, 4, 12]),
            )
            if index % 4 == 0:  # a period that has not started yet: not current
                factories.PePeriodFactory(
                    registration=registration,
                    start=end + dt.timedelta(days=1),
                    end=period_end(end + dt.timedelta(days=1), 24),
                )
            for _ in range(rng.randrange(0, 4)):
                completed = start + dt.timedelta(days=rng.randrange(-30, 760))
                if completed <= today:
                    factories.CompletionFactory(
                        professional=professional,
                        points=rng.randrange(1, 5),
                        completed_on=completed,
                    )
            status = rng.choice([None, "submitted", "approved", "rejected"])
            if status is not None:
                factories.RenewalSubmissionFactory(
                    period=period,
                    status=status,
                    decided_at=None if status == "submitted" else clock.now(),
                )


def test_status_counts_agree_with_the_rows_at_many_moments(world: World) -> None:
    _varied_report(world, random.Random(7))
    now = clock.now()
    seen: set[str] = set()
    for days in [-400, -90, -1, 0, 1, 30, 200, 365, 500, 800, 1200]:
        at = now + dt.timedelta(days=days)
        rows = Counter(
            row.status
            for row in report_rows(policies.report_scope_or_404(world.administrator.user, at))
        )
        grants = policies.report_grants(world.administrator.user, at)
        counts = status_counts(grants, clock.local_date(at))
        assert +counts == +rows, days
        seen.update(rows)
    assert seen == {"met", "expired", "behind", "on_track", NO_PERIOD}


def test_status_counts_of_a_renewal_that_was_approved_later_rejected(world: World) -> None:
    period = world.professional.registrations.get().periods.get()
    factories.RenewalSubmissionFactory(
        period=period,
        status=RenewalSubmission.Status.REJECTED,
        decided_at=clock.now(),
        submitted_at=clock.now() - dt.timedelta(days=2),
    )
    factories.RenewalSubmissionFactory(
        period=period,
        status=RenewalSubmission.Status.APPROVED,
        decided_at=clock.now(),
        submitted_at=clock.now() - dt.timedelta(days=1),
    )
    at = clock.now()
    grants = policies.report_grants(world.administrator.user, at)
    assert +status_counts(grants, clock.local_date(at)) == Counter({"met": 1})
    [row] = report_rows(policies.report_scope_or_404(world.administrator.user, at))
    assert row.status == "met"

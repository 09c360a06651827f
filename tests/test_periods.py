"""Period figures: points per period, current period, status words."""

from __future__ import annotations

import datetime as dt

import pytest

from peregister.registry.models import PePeriod
from peregister.registry.periods import (
    PeriodStatus,
    add_months,
    expected_points,
    period_end,
    period_status,
)
from tests import factories

START, END = dt.date(2025, 1, 1), dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("earned", "today", "approved", "status"),
    [
        (12, dt.date(2025, 6, 1), False, PeriodStatus.MET),
        (13, dt.date(2027, 3, 1), False, PeriodStatus.MET),
        (0, dt.date(2025, 1, 20), False, PeriodStatus.ON_TRACK),  # pace expects 0 points yet
        (2, dt.date(2025, 12, 31), False, PeriodStatus.BEHIND),  # halfway needs 5 (12*365//730)
        (6, dt.date(2025, 12, 31), False, PeriodStatus.ON_TRACK),
        (11, dt.date(2027, 1, 1), False, PeriodStatus.EXPIRED),
        (11, dt.date(2027, 1, 1), True, PeriodStatus.MET),
    ],
)
def test_period_status(earned: int, today: dt.date, approved: bool, status: PeriodStatus) -> None:
    result = period_status(
        points_earned=earned,
        points_required=12,
        start=START,
        end=END,
        today=today,
        renewal_approved=approved,
    )
    assert result == status


def test_expected_points_is_linear_and_rounded_down() -> None:
    assert expected_points(points_required=12, start=START, end=END, today=START) == 0
    assert expected_points(points_required=12, start=START, end=END, today=END) == 12
    assert (
        expected_points(points_required=12, start=START, end=END, today=dt.date(2030, 1, 1)) == 12
    )


def test_period_end_is_the_day_before_the_same_date_months_later() -> None:
    assert period_end(dt.date(2025, 3, 15), 24) == dt.date(2027, 3, 14)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_points_count_in_the_period_that_holds_the_completion_date(db: None) -> None:
    registration = factories.RegistrationFactory(registered_on=dt.date(2022, 1, 1))
    first = factories.PePeriodFactory(registration=registration, start=dt.date(2022, 1, 1))
    second = factories.PePeriodFactory(registration=registration, start=dt.date(2024, 1, 1))
    professional = registration.professional
    factories.CompletionFactory(
        professional=professional, completed_on=dt.date(2023, 12, 31), points=3
    )
    factories.CompletionFactory(
        professional=professional, completed_on=dt.date(2024, 1, 1), points=4
    )
    factories.CompletionFactory(
        professional=professional, completed_on=dt.date(2025, 12, 31), points=5
    )
    factories.CompletionFactory(completed_on=dt.date(2024, 6, 1), points=9)  # someone else
    stored = {p.pk: p.points_earned for p in PePeriod.objects.all()}
    assert stored == {first.pk: 3, second.pk: 9}
    annotated = PePeriod.objects.with_progress().get(pk=second.pk)
    assert annotated.progress(dt.date(2025, 1, 1)).points_earned == 9


def test_current_period_is_the_latest_started_one(db: None) -> None:
    registration = factories.RegistrationFactory(registered_on=dt.date(2022, 1, 1))
    factories.PePeriodFactory(registration=registration, start=dt.date(2022, 1, 1))
    second = factories.PePeriodFactory(registration=registration, start=dt.date(2024, 1, 1))
    assert list(PePeriod.objects.current(dt.date(2025, 5, 1))) == [second]
    # After the end without a next period (lapsed), the last period stays "current".
    assert list(PePeriod.objects.current(dt.date(2027, 5, 1))) == [second]


def test_renewal_state_is_stored_on_the_period(db: None) -> None:
    renewal = factories.RenewalSubmissionFactory()
    period = PePeriod.objects.with_progress().get(pk=renewal.period_id)
    assert period.renewal_status == "submitted"
    assert period.renewal_submitted_at == renewal.submitted_at


def test_with_status_in_sql_agrees_with_period_status_on_stored_periods(db: None) -> None:
    start = dt.date(2025, 1, 1)
    for required, points, renewal in [
        (12, 0, None),
        (12, 3, None),
        (12, 12, None),
        (12, 5, "approved"),
        (12, 5, "rejected"),
        (4, 1, "submitted"),
        (12, 7, None),
        (0, 0, None),
    ]:
        registration = factories.RegistrationFactory()
        period = factories.PePeriodFactory(
            registration=registration, start=start, end=END, points_required=required
        )
        if points:
            factories.CompletionFactory(
                professional=registration.professional, points=points, completed_on=start
            )
        if renewal:
            factories.RenewalSubmissionFactory(
                period=period,
                status=renewal,
                decided_at=None
                if renewal == "submitted"
                else dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
            )
    seen = set()
    for today in [start, dt.date(2025, 9, 1), dt.date(2026, 6, 1), END, dt.date(2027, 1, 1)]:
        for period in PePeriod.objects.with_progress().with_status(today):
            expected = period.progress(today).status
            assert period.period_status == expected, (period.pk, today)
            seen.add(expected)
    assert seen == set(PeriodStatus)


def test_every_form_of_the_current_period_agrees(db: None) -> None:
    """``is_current`` (NOT EXISTS), ``started_periods`` (newest first), ``has_current_period``
    and ``has_no_started_period`` name one rule: checked around a period that starts on the
    day itself, a future-only registration, two registrations and a professional without any."""
    from peregister.registry import periods
    from peregister.registry.dossier import registration_views
    from peregister.registry.models import Professional, Registration

    on = dt.date(2025, 5, 1)
    backoffice = factories.RegisterFactory(code="bo", name="Backoffice")
    two = factories.RegistrationFactory(registered_on=dt.date(2022, 1, 1))
    factories.PePeriodFactory(registration=two, start=dt.date(2022, 1, 1))
    running = factories.PePeriodFactory(registration=two, start=dt.date(2024, 1, 1))
    both = two.professional
    starts_today = factories.RegistrationFactory(professional=both, register=backoffice)
    today_period = factories.PePeriodFactory(registration=starts_today, start=on)
    future_only = factories.RegistrationFactory()
    factories.PePeriodFactory(registration=future_only, start=on + dt.timedelta(days=1))
    lapsed = factories.RegistrationFactory(status=Registration.Status.LAPSED)
    ran_out = factories.PePeriodFactory(registration=lapsed, start=dt.date(2021, 1, 1))
    mixed = factories.RegistrationFactory()
    factories.PePeriodFactory(registration=mixed, start=on + dt.timedelta(days=30))
    mixed_running = factories.PePeriodFactory(
        registration=factories.RegistrationFactory(
            professional=mixed.professional, register=backoffice
        ),
        start=dt.date(2024, 6, 1),
    )
    nothing = factories.ProfessionalFactory()

    def current_pks(day: dt.date) -> set[int]:
        return set(PePeriod.objects.current(day).values_list("pk", flat=True))

    # Written out by hand for the day itself and the day before.
    assert current_pks(on) == {running.pk, today_period.pk, ran_out.pk, mixed_running.pk}
    assert current_pks(on - dt.timedelta(days=1)) == {running.pk, ran_out.pk, mixed_running.pk}
    no_period = Professional.objects.filter(periods.has_no_started_period(on))
    assert set(no_period) == {future_only.professional, nothing}

    for day in [on - dt.timedelta(days=1), on, on + dt.timedelta(days=1), dt.date(2030, 1, 1)]:
        current = PePeriod.objects.filter(pk__in=current_pks(day))
        by_registration = {p.registration_id: (p.start, p.end) for p in current}
        # The newest-first subquery picks the same period per registration.
        figures = Registration.objects.with_current_figures(day).filter(current_start__isnull=False)
        assert {r.pk: (r.current_start, r.current_end) for r in figures} == by_registration
        # Exactly the registrations that have a current period have one started.
        with_current = Registration.objects.with_current_period(day)
        assert set(with_current.values_list("pk", flat=True)) == set(by_registration)
        # Professionals without any started period are those without a current one.
        without = Professional.objects.filter(periods.has_no_started_period(day))
        assert set(without) == set(
            Professional.objects.exclude(registrations__periods__in=current)
        ), day
        # The dossier shows the same current period per registration.
        for professional in Professional.objects.all():
            shown = {
                view.registration.pk: (view.current.period.start, view.current.period.end)
                for view in registration_views(professional, day)
                if view.current is not None
            }
            mine = {
                pk: dates
                for pk, dates in by_registration.items()
                if Registration.objects.get(pk=pk).professional_id == professional.pk
            }
            assert shown == mine, (professional, day)

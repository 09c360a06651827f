"""Stored period figures equal a recount after whatever the register's writers do.

The oracle here is plain Python over the rows (sum the professional's completions dated within
the period; the latest renewal by submission moment), not the recount SQL of
``registry/figures.py``, which is itself under test (``stale_periods``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from peregister.backoffice.closing import reinstate_registration
from peregister.backoffice.renewals import approve_renewal, reject_renewal
from peregister.backoffice.self_reports import approve_self_report
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry import figures
from peregister.registry.attendance import Entry
from peregister.registry.completions import add_completion, register_completions
from peregister.registry.models import (
    Completion,
    PePeriod,
    Registration,
    RenewalSubmission,
)
from peregister.registry.periods import period_end
from peregister.registry.renewals import submit_renewal
from tests import factories
from tests.conftest import World

STEPS = 2000
SEED = 20261130


def oracle(period: PePeriod) -> tuple[int, str, dt.datetime | None]:
    professional_id = Registration.objects.get(pk=period.registration_id).professional_id
    points = sum(
        points
        for points, day in Completion.objects.filter(professional_id=professional_id).values_list(
            "points", "completed_on"
        )
        if period.start <= day <= period.end
    )
    renewals = sorted(
        RenewalSubmission.objects.filter(period=period).values_list("submitted_at", "pk", "status")
    )
    latest = renewals[-1] if renewals else None
    return points, latest[2] if latest else "", latest[0] if latest else None


def stored(period: PePeriod) -> tuple[int, str, dt.datetime | None]:
    period.refresh_from_db()
    return period.points_earned, period.renewal_status, period.renewal_submitted_at


def assert_every_period_equals_its_recount() -> None:
    wrong = {
        period.pk: (stored(period), oracle(period))
        for period in PePeriod.objects.all()
        if stored(period) != oracle(period)
    }
    assert not wrong, f"{len(wrong)} periods differ (stored, recount): {list(wrong.items())[:5]}"
    assert not figures.stale_periods().exists()


def test_random_histories_keep_stored_figures_equal_to_a_recount(world: World) -> None:
    """2,000 random steps over 50 registrations' histories: periods opened before and after
    completions, completions added one by one and by attendance list (several on one day, on
    period boundaries), removed, renewals submitted, rejected, submitted again and approved,
    rolled-back transactions."""
    rng = random.Random(SEED)
    register = factories.RegisterFactory(points_required=12, period_months=24)
    activity = factories.LearningActivityFactory(points=3)
    base = dt.date(2020, 1, 1)
    professionals = [factories.ProfessionalFactory() for _ in range(40)]
    registrations = [
        factories.RegistrationFactory(professional=p, register=register, registered_on=base)
        for p in professionals
    ]
    extra_register = factories.RegisterFactory(
        code="bop", name="Bijzondere opdrachten", points_required=20, period_months=12
    )
    registrations += [
        factories.RegistrationFactory(professional=p, register=extra_register, registered_on=base)
        for p in professionals[:10]  # several registrations for some professionals
    ]
    next_start = {r.pk: base for r in registrations}

    def some_day() -> dt.date:
        return base + dt.timedelta(days=rng.randrange(0, 6 * 365))

    def open_next(registration: Registration) -> None:
        start = next_start[registration.pk]
        end = period_end(start, registration.register.period_months)
        figures.open_period(
            registration=registration,
            start=start,
            end=end,
            points_required=registration.register.points_required,
        )
        next_start[registration.pk] = end + dt.timedelta(days=1)

    def add_one() -> None:
        professional = rng.choice(professionals)
        period = PePeriod.objects.filter(registration__professional=professional).first()
        # Often exactly on a boundary of a period, where off-by-one errors live.
        day = rng.choice([period.start, period.end, some_day()]) if period else some_day()
        add_completion(
            actor=world.staff,
            professional_id=professional.pk,
            title="Intervisie",
            provider="Eigen",
            kind=activity.kind,
            points=rng.randrange(0, 8),
            completed_on=day,
            source=Completion.Source.SELF_REPORTED,
        )

    def add_list() -> None:
        day = some_day()
        chosen = rng.sample(professionals, rng.randrange(1, 6))
        entries = [Entry(i + 1, p.registration_number, day) for i, p in enumerate(chosen)]
        with clock_at(day + dt.timedelta(days=1)):
            register_completions(actor=world.staff, activity=activity, entries=entries)

    def remove_one() -> None:
        completion = Completion.objects.order_by("?").first()
        if completion is None:
            return
        figures.count_completions(
            [(completion.professional_id, completion.completed_on, -completion.points)]
        )
        completion.delete()

    def renew() -> None:
        period = PePeriod.objects.filter(registration__in=registrations).order_by("?").first()
        if period is None:
            return
        open_renewal = period.renewals.filter(status=RenewalSubmission.Status.SUBMITTED).first()
        if open_renewal is None:
            if period.renewals.filter(status=RenewalSubmission.Status.APPROVED).exists():
                return
            RenewalSubmission.objects.create(
                period=period, submitted_at=clock.now() + dt.timedelta(seconds=rng.randrange(10**6))
            )
            figures.renewal_changed(period.pk)
        elif rng.random() < 0.5:
            reject_renewal(actor=world.staff, renewal=open_renewal, reason="Onvolledig dossier.")
        else:
            approve_renewal(actor=world.staff, renewal=open_renewal)
            next_start[period.registration_id] = max(
                next_start[period.registration_id],
                PePeriod.objects.filter(registration_id=period.registration_id)
                .order_by("-end")
                .values_list("end", flat=True)[0]
                + dt.timedelta(days=1),
            )

    def add_then_fail() -> None:
        with transaction.atomic():
            add_one()
            raise RuntimeError("the caller's decision failed")

    def rolled_back() -> None:
        with pytest.raises(RuntimeError):
            add_then_fail()

    def open_some() -> None:
        registration = rng.choice(registrations)
        if next_start[registration.pk] < dt.date(2027, 1, 1):
            open_next(registration)

    actions: list[tuple[Callable[[], None], int]] = [
        (open_some, 2),
        (add_one, 6),
        (add_list, 2),
        (remove_one, 1),
        (renew, 2),
        (rolled_back, 1),
    ]
    weighted = [action for action, weight in actions for _ in range(weight)]
    for _ in range(STEPS):
        rng.choice(weighted)()
    assert PePeriod.objects.count() > 50
    assert Completion.objects.count() > 500
    assert_every_period_equals_its_recount()


class clock_at:  # used as a context manager: reads like a statement
    """The attendance check refuses future dates: let the register's day follow the list."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __enter__(self) -> None:
        self.travel = time_machine.travel(
            dt.datetime.combine(self.day, dt.time(12), tzinfo=dt.UTC), tick=False
        )
        self.travel.start()

    def __exit__(self, *exc: object) -> None:
        self.travel.stop()


def test_the_services_keep_the_figures(world: World) -> None:
    """Attendance, an approved eigen activiteit, a renewal submitted and approved (the next
    period counts completions already dated in it), and reinstatement."""
    today = clock.today()
    professional = world.professional
    period = PePeriod.objects.get(registration__professional=professional)
    activity = factories.LearningActivityFactory(points=4)
    register_completions(
        actor=world.staff,
        activity=activity,
        entries=[Entry(1, professional.registration_number, today)],
    )
    assert stored(period)[0] == 4
    report = factories.SelfReportFactory(professional=professional, completed_on=today)
    approve_self_report(actor=world.staff, report=report, points=9)
    assert stored(period)[0] == 13
    # Dated in the next period before that period exists.
    add_completion(
        actor=world.staff,
        professional_id=professional.pk,
        title="Vooruit",
        provider="Eigen",
        kind=activity.kind,
        points=5,
        completed_on=period.end + dt.timedelta(days=3),
        source=Completion.Source.SELF_REPORTED,
    )
    renewal = submit_renewal(actor=professional.user, registration=period.registration)
    assert stored(period)[1:] == ("submitted", renewal.submitted_at)
    next_period = approve_renewal(actor=world.staff, renewal=renewal)
    assert stored(period)[1] == "approved"
    assert stored(next_period)[0] == 5
    assert_every_period_equals_its_recount()


def test_a_reinstated_registration_opens_a_period_with_its_points(world: World) -> None:
    today = clock.today()
    registration = factories.RegistrationFactory(
        registered_on=today - dt.timedelta(days=800), status=Registration.Status.LAPSED
    )
    factories.PePeriodFactory(registration=registration)
    factories.CompletionFactory(professional=registration.professional, completed_on=today)
    period = reinstate_registration(
        actor=world.staff, registration=registration, reason="Ten onrechte vervallen."
    )
    assert period.start == today
    assert stored(period)[0] == 2
    assert_every_period_equals_its_recount()


def test_a_refused_decision_leaves_the_figures_as_they_were(world: World) -> None:
    period = PePeriod.objects.get(registration__professional=world.professional)
    report = factories.SelfReportFactory(professional=world.professional, completed_on=period.start)
    approve_self_report(actor=world.staff, report=report, points=3)
    with pytest.raises(Refused):  # decided already: the completion and its points roll back
        approve_self_report(actor=world.staff, report=report, points=7)
    assert stored(period)[0] == 3
    assert_every_period_equals_its_recount()


def test_check_names_a_wrong_figure_and_repair_rebuilds_it(world: World) -> None:
    period = PePeriod.objects.get(registration__professional=world.professional)
    factories.CompletionFactory(professional=world.professional, completed_on=period.start)
    renewal = factories.RenewalSubmissionFactory(period=period)
    call_command("check_period_figures", stdout=StringIO())
    PePeriod.objects.filter(pk=period.pk).update(points_earned=99, renewal_status="")
    with pytest.raises(CommandError, match=rf"1 period\(s\).*: {period.pk}\. Run repair"):
        call_command("check_period_figures", stdout=StringIO())
    out = StringIO()
    call_command("repair_period_figures", stdout=out)
    assert "1 period(s) repaired" in out.getvalue()
    assert stored(period) == (2, "submitted", renewal.submitted_at)
    call_command("check_period_figures", stdout=StringIO())
    again = StringIO()
    call_command("repair_period_figures", stdout=again)
    assert "0 period(s) repaired" in again.getvalue()


def test_check_notices_a_renewal_written_behind_the_figures_back(world: World) -> None:
    period = PePeriod.objects.get(registration__professional=world.professional)
    RenewalSubmission.objects.create(period=period, submitted_at=clock.now())
    with pytest.raises(CommandError):
        call_command("check_period_figures", stdout=StringIO())

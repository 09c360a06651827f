"""Reminders to a professional whose PE period ends while points are short: the moments are
data on the register, each is sent once (also on a second run or machine), by Amsterdam days,
and the lapse is recorded with them; the professional sees them in *Mijn PE-dossier*."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import cast

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction

from peregister.core import clock
from peregister.notifications.models import OutboxMessage
from peregister.registry.models import PePeriod, PeriodReminder, Register, Registration
from peregister.registry.reminders import due_moment, moments, send_period_reminders
from tests import factories
from tests.conftest import client_for

START, END = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
UTC = dt.UTC


def _period(points: int = 2, **register: object) -> PePeriod:
    registration = factories.RegistrationFactory(
        register=factories.RegisterFactory(**register),
        professional=factories.ProfessionalFactory(email="pim@example.nl"),
    )
    period = factories.PePeriodFactory(registration=registration, start=START, end=END)
    if points:
        factories.CompletionFactory(
            professional=registration.professional, points=points, completed_on=START
        )
    period.refresh_from_db()
    return cast(PePeriod, period)


def _mails() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="period_reminder").order_by("pk"))


def _run_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return send_period_reminders()


def test_moments_are_the_registers_data_and_garbage_is_ignored(db: None) -> None:
    register = factories.RegisterFactory(
        code="a", reminder_days=[30, "x", 90, -1, True, 90, 10**6, 180]
    )
    assert moments(register) == [180, 90, 30]
    assert moments(factories.RegisterFactory(code="b", reminder_days={"a": 1})) == []
    assert moments(factories.RegisterFactory()) == [180, 90, 30]  # the default
    assert due_moment([180, 90, 30], 181) is None
    assert due_moment([180, 90, 30], 180) == 180
    assert due_moment([180, 90, 30], 91) == 180
    assert due_moment([180, 90, 30], 80) == 90  # a late run sends the latest moment only
    assert due_moment([180, 90, 30], 0) == 30


def test_each_moment_once_by_amsterdam_days(db: None) -> None:
    period = _period()
    # 180 days before 31-12-2026 is 04-07-2026. 23:30 on the 3rd in Amsterdam is 21:30 UTC:
    # still 181 days left, nothing due.
    assert _run_at(dt.datetime(2026, 7, 3, 21, 30, tzinfo=UTC)) == 0
    # 00:30 on the 4th in Amsterdam is still the 3rd in UTC (22:30): the moment is due.
    assert _run_at(dt.datetime(2026, 7, 3, 22, 30, tzinfo=UTC)) == 1
    [mail] = _mails()
    assert mail.recipients == ["pim@example.nl"]
    assert mail.context["days_left"] == 180
    assert mail.context["points_missing"] == 10
    # Again the same day, and the next days: nothing more until the next moment.
    assert _run_at(dt.datetime(2026, 7, 4, 9, 0, tzinfo=clock.AMSTERDAM)) == 0
    assert _run_at(dt.datetime(2026, 8, 1, 9, 0, tzinfo=clock.AMSTERDAM)) == 0
    assert _run_at(dt.datetime(2026, 10, 2, 9, 0, tzinfo=clock.AMSTERDAM)) == 1  # 90 days
    assert _run_at(dt.datetime(2026, 10, 3, 9, 0, tzinfo=clock.AMSTERDAM)) == 0
    assert [m.context["days_left"] for m in _mails()] == [180, 90]
    assert list(period.reminders.values_list("days_before", flat=True).order_by("pk")) == [180, 90]


def test_a_late_run_sends_only_the_latest_moment(db: None) -> None:
    _period()
    assert _run_at(dt.datetime(2026, 11, 1, 9, 0, tzinfo=clock.AMSTERDAM)) == 1  # 60 days left
    assert [m.context["days_left"] for m in _mails()] == [60]
    assert PeriodReminder.objects.get().days_before == 60  # the real days before the end


def test_a_late_reminder_counts_for_every_moment_it_covers_and_shows_the_real_days(
    db: None,
) -> None:
    """The job first sees the period 100 days before its end (it did not run, the register's
    moments or the period changed): one mail, recorded and shown as 100 days before the end,
    and no second mail for a moment that had passed when it went (review F10)."""
    period = _period()
    assert _run_at(dt.datetime(2026, 9, 22, 9, 0, tzinfo=clock.AMSTERDAM)) == 1  # 100 days left
    assert list(period.reminders.values_list("days_before", flat=True)) == [100]
    # The register adds a moment that had passed when the reminder went: nothing more.
    Register.objects.filter(pk=period.registration.register_id).update(
        reminder_days=[180, 120, 90, 30]
    )
    assert _run_at(dt.datetime(2026, 9, 27, 9, 0, tzinfo=clock.AMSTERDAM)) == 0  # 95 days left
    # The period moves 30 days later (125 days left): 180 and 120 were covered.
    PePeriod.objects.filter(pk=period.pk).update(end=END + dt.timedelta(days=30))
    assert _run_at(dt.datetime(2026, 9, 28, 9, 0, tzinfo=clock.AMSTERDAM)) == 0
    PePeriod.objects.filter(pk=period.pk).update(end=END)
    # A moment still ahead when it went (90) is a reminder of its own.
    assert _run_at(dt.datetime(2026, 10, 2, 9, 0, tzinfo=clock.AMSTERDAM)) == 1  # 90 days left
    assert [m.context["days_left"] for m in _mails()] == [100, 90]
    text = client_for(period.registration.professional.user).get("/mijn/dossier/").content
    assert "100 dagen voor het einde van de PE-periode (31 december 2026)" in text.decode()
    assert "180 dagen" not in text.decode()


def test_no_reminder_when_the_points_are_there_or_the_registration_is_not_active(
    db: None,
) -> None:
    _period(points=12)  # behaald
    ended = _period()
    Registration.objects.filter(pk=ended.registration_id).update(status="ended")
    approved = _period()
    factories.RenewalSubmissionFactory(
        period=approved, status="approved", decided_at=dt.datetime(2026, 9, 1, tzinfo=UTC)
    )
    assert _run_at(dt.datetime(2026, 10, 2, 9, 0, tzinfo=clock.AMSTERDAM)) == 0


def test_the_registers_own_moments(db: None) -> None:
    _period(code="kort", reminder_days=[14])
    assert _run_at(dt.datetime(2026, 10, 2, 9, 0, tzinfo=clock.AMSTERDAM)) == 0
    assert _run_at(dt.datetime(2026, 12, 17, 9, 0, tzinfo=clock.AMSTERDAM)) == 1


def test_the_database_refuses_a_second_reminder_for_one_moment(db: None) -> None:
    period = _period()
    PeriodReminder.objects.create(
        period=period, kind="before_end", days_before=90, sent_at=clock.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodReminder.objects.create(
            period=period, kind="before_end", days_before=90, sent_at=clock.now()
        )


def test_the_daily_job_lapse_is_recorded_and_the_professional_sees_them(db: None) -> None:
    period = _period()
    _run_at(dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.AMSTERDAM))  # 30 days left
    with time_machine.travel(dt.datetime(2027, 1, 1, 6, 0, tzinfo=clock.AMSTERDAM), tick=False):
        call_command("run_scheduled", stdout=StringIO())
        call_command("run_scheduled", stdout=StringIO())  # a second run changes nothing
    kinds = list(period.reminders.order_by("pk").values_list("kind", "days_before"))
    assert kinds == [("before_end", 30), ("lapsed", 0)]
    assert OutboxMessage.objects.filter(template="registration_lapsed").count() == 1
    body = client_for(period.registration.professional.user).get("/mijn/dossier/").content
    text = body.decode()
    assert "Verstuurde herinneringen" in text
    assert "30 dagen voor het einde van de PE-periode (31 december 2026)" in text
    assert "registratie vervallen" in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_reminder_renders_in_text_and_html(db: None, language: str) -> None:
    from peregister.notifications.mail import render_mail

    _period()
    _run_at(dt.datetime(2026, 10, 2, 9, 0, tzinfo=clock.AMSTERDAM))
    [queued] = _mails()
    mail = render_mail("period_reminder", queued.context, language)
    html = str(mail.alternatives[0][0])
    if language == "nl":
        assert mail.subject == "Uw PE-periode Uitzendprofessional eindigt over 90 dagen"
        assert "er ontbreken nog 10" in mail.body
        assert "31 december 2026" in html
    else:
        assert mail.subject == "Your PE period Uitzendprofessional ends in 90 days"
        assert "10 are still missing" in mail.body

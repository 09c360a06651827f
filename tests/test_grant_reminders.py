"""The professional is reminded GRANT_REMINDER_DAYS days before a grant ends, exactly once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import cast
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from peregister.access import services
from peregister.access.models import AccessGrant
from peregister.core import clock
from tests import factories

AMS = clock.AMSTERDAM
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def at_today(db: None):
    with time_machine.travel(dt.datetime(2026, 6, 1, 7, 0, tzinfo=AMS), tick=False):
        yield


@pytest.fixture(autouse=True)
def reminder_days(settings) -> None:
    settings.GRANT_REMINDER_DAYS = 14


def make_grant(
    valid_until: dt.date | None, *, granted_days_ago: int = 100, **kwargs
) -> AccessGrant:
    return cast(
        AccessGrant,
        factories.AccessGrantFactory(
            valid_until=valid_until,
            granted_at=clock.now() - dt.timedelta(days=granted_days_ago),
            professional__email="pim@example.nl",
            contact__name="Regiomanager Noord",
            contact__organisation__name="Uitzendbureau De Brug",
            **kwargs,
        ),
    )


def run_command(django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_grant_reminders", stdout=out)
    return out.getvalue()


def test_reminds_fourteen_days_before_the_end_once(
    at_today, django_capture_on_commit_callbacks
) -> None:
    grant = make_grant(TODAY + dt.timedelta(days=14))
    output = run_command(django_capture_on_commit_callbacks)
    assert output.startswith("1 reminder")
    [message] = mail.outbox
    assert message.to == ["pim@example.nl"]
    assert "Uitzendbureau De Brug" in message.subject
    assert "15 juni 2026" in message.subject
    assert "Regiomanager Noord" in message.body
    assert "/mijn/inzage-werkgever/" in message.body
    grant.refresh_from_db()
    assert grant.reminder_sent_at is not None
    # Running again (the same day or later) never repeats the reminder.
    run_command(django_capture_on_commit_callbacks)
    with time_machine.travel(dt.datetime(2026, 6, 5, 7, 0, tzinfo=AMS), tick=False):
        run_command(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_not_yet_when_the_end_is_further_away(at_today, django_capture_on_commit_callbacks) -> None:
    make_grant(TODAY + dt.timedelta(days=15))
    make_grant(None)
    assert run_command(django_capture_on_commit_callbacks).startswith("0 reminder")
    assert mail.outbox == []


def test_a_missed_day_is_caught_up(at_today, django_capture_on_commit_callbacks) -> None:
    make_grant(TODAY + dt.timedelta(days=3))
    run_command(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_no_reminder_for_revoked_expired_or_short_grants(
    at_today, django_capture_on_commit_callbacks
) -> None:
    make_grant(TODAY + dt.timedelta(days=10), revoked_at=clock.now() - dt.timedelta(days=1))
    make_grant(TODAY - dt.timedelta(days=1))
    # Given five days ago for ten days: shorter than the reminder window, chosen on purpose.
    make_grant(TODAY + dt.timedelta(days=5), granted_days_ago=5)
    run_command(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_changing_the_end_date_brings_a_new_reminder(
    at_today, django_capture_on_commit_callbacks
) -> None:
    grant = make_grant(TODAY + dt.timedelta(days=14))
    run_command(django_capture_on_commit_callbacks)
    services.change_grant_end(
        actor=grant.professional.user, grant=grant, valid_until=TODAY + dt.timedelta(days=40)
    )
    with time_machine.travel(dt.datetime(2026, 6, 27, 7, 0, tzinfo=AMS), tick=False):
        run_command(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert "11 juli 2026" in mail.outbox[1].subject


def test_a_claimed_reminder_is_not_sent_by_a_concurrent_run(
    at_today, django_capture_on_commit_callbacks
) -> None:
    grant = make_grant(TODAY + dt.timedelta(days=14))
    due = services.grants_due_for_reminder(TODAY)
    assert due == [grant]
    # Another run claims it between our read and our update.
    AccessGrant.objects.filter(pk=grant.pk).update(reminder_sent_at=clock.now())
    with (
        mock.patch.object(services, "grants_due_for_reminder", return_value=due),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.send_grant_reminders(today=TODAY) == 0
    assert mail.outbox == []


def test_reminder_setting_is_respected(
    at_today, settings, django_capture_on_commit_callbacks
) -> None:
    settings.GRANT_REMINDER_DAYS = 30
    make_grant(TODAY + dt.timedelta(days=25))
    run_command(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

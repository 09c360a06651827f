"""Issue 16: a status-change alert goes out soon after the change, not only with the daily run.

The service that makes the change records its audit event (*dossier ingediend*, *verlenging
goedgekeurd*, *vervallen*, points that make a period *behaald*); once that transaction commits,
the alert work for the contacts who opted in is queued for the task worker. It sends through
the same path as the daily run, so it is claimed once (the daily run, the catch-up, then
finds nothing new) and names only professionals whose grant lives at sending
(``policies.alert_grants``; ASVS 4.0.3 V4.1.3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.db import transaction

from peregister.access.models import AccessGrant
from peregister.access.services import revoke_access
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.insight import alerts
from peregister.insight.models import AlertSettings
from peregister.notifications.models import OutboxMessage
from tests.conftest import World
from tests.test_employer_alerts import _points

AMS = clock.AMSTERDAM


def _opt_in(world: World) -> None:
    alerts.save_alert_settings(
        actor=world.contact_live.user,
        weekly_digest=False,
        whole_organisation=False,
        status_changes=True,
    )


def _change(world: World, action: str, **data: Any) -> None:
    with transaction.atomic():
        record(action, actor=None, professionals=[world.professional], register="up", **data)


def _soon(minutes: int) -> Any:
    """A moment after opting in (the worker runs at or after the change's commit)."""
    return time_machine.travel(clock.now() + dt.timedelta(minutes=minutes), tick=False)


def _mails() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="alert_status").order_by("pk"))


def test_the_alert_is_queued_on_commit_and_sent_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(world)
    with _soon(1), django_capture_on_commit_callbacks() as queued:
        _change(world, AuditEvent.Action.RENEWAL_SUBMITTED)
    # Nothing in the request's transaction: the work waits for the commit, then the worker.
    assert _mails() == []
    assert queued
    with _soon(2), django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    [mail] = _mails()
    assert mail.recipients == [world.contact_live.email]
    assert [change["change"] for change in mail.context["changes"]] == ["submitted"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ALERT_SENT, professionals=world.professional
    ).exists()
    # The daily run is the catch-up: nothing new, nothing twice.
    day = clock.today() + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=AMS)):
        assert alerts.send_employer_alerts().status_changes == 0
    assert len(_mails()) == 1


def test_each_change_is_its_own_alert_and_none_repeats(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(world)
    with _soon(1), django_capture_on_commit_callbacks(execute=True):
        _change(world, AuditEvent.Action.RENEWAL_SUBMITTED)
    with _soon(2), django_capture_on_commit_callbacks(execute=True):
        _change(world, AuditEvent.Action.RENEWAL_DECIDED, decision="approved")
    assert [m.context["changes"][0]["change"] for m in _mails()] == ["submitted", "approved"]


def test_no_alert_after_the_grant_ended(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(world)
    grant = AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)
    revoke_access(actor=world.professional.user, grant=grant)
    with _soon(1), django_capture_on_commit_callbacks(execute=True):
        _change(world, AuditEvent.Action.REGISTRATION_LAPSED)
    assert _mails() == []


def test_a_contact_who_did_not_opt_in_gets_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with _soon(1), django_capture_on_commit_callbacks(execute=True):
        _change(world, AuditEvent.Action.RENEWAL_SUBMITTED)
    assert _mails() == []


# --- review 1516 F3: a change whose transaction overlaps the daily run ------------------------
# The event carries the moment it was recorded, inside its transaction; the daily run may read
# the events before that transaction commits, and move the contact's mark on.


def _mark(at: dt.datetime, world: World) -> None:
    AlertSettings.objects.filter(contact=world.contact_live).update(status_changes_since=at)


def _next_morning() -> Any:
    day = clock.today() + dt.timedelta(days=1)
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=AMS))


def test_the_alert_at_commit_finds_its_change_when_the_mark_passed_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(world)
    start = clock.now()
    with _soon(1), django_capture_on_commit_callbacks() as queued:
        _change(world, AuditEvent.Action.RENEWAL_SUBMITTED)  # recorded at +1 min
    # A daily run at +1 min 1 s did not see the open transaction and moved the mark past it.
    _mark(start + dt.timedelta(minutes=1, seconds=1), world)
    with _soon(2), django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    [mail] = _mails()
    assert [change["change"] for change in mail.context["changes"]] == ["submitted"]
    with _next_morning():
        assert alerts.send_employer_alerts().status_changes == 0
    assert len(_mails()) == 1


def test_behaald_at_commit_is_found_when_the_mark_passed_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _opt_in(world)
    start = clock.now()
    with django_capture_on_commit_callbacks() as queued:
        _points(world, 12, start + dt.timedelta(minutes=1))
    _mark(start + dt.timedelta(minutes=1, seconds=1), world)
    with _soon(2), django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    [mail] = _mails()
    assert [change["change"] for change in mail.context["changes"]] == ["met"]


def test_the_next_daily_run_finds_a_change_committed_after_the_last_one_read(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The alert at commit lost (a worker crash): the daily run itself reads back ``SETTLE``."""
    _opt_in(world)
    start = clock.now()
    # The daily run at +1 min 1 s, while the change recorded at +1 min is not yet committed:
    with time_machine.travel(start + dt.timedelta(minutes=1, seconds=1), tick=False):
        assert alerts.send_employer_alerts().status_changes == 0
    with _soon(1), django_capture_on_commit_callbacks():  # its queued alert never runs
        _change(world, AuditEvent.Action.RENEWAL_SUBMITTED)
    with _next_morning():
        assert alerts.send_employer_alerts().status_changes == 1
        assert alerts.send_employer_alerts().status_changes == 0
    assert len(_mails()) == 1


def test_the_daily_run_never_reads_before_the_opting_in(world: World) -> None:
    """Reading back ``SETTLE`` keeps the mark where the contact switched alerts on."""
    start = clock.now()
    with time_machine.travel(start - dt.timedelta(minutes=1), tick=False):
        _change(world, AuditEvent.Action.RENEWAL_SUBMITTED)  # before opting in
    _opt_in(world)
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert alerts.send_employer_alerts().status_changes == 0
    with _next_morning():
        assert alerts.send_employer_alerts().status_changes == 0
    assert _mails() == []

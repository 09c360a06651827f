"""Alerts to employer contacts, only while a grant lives (issue 16).

Opt-in per contact, off by default; the weekly digest and status changes go only to contacts
holding a live grant at the moment of sending (ASVS 4.0.3 V4.1.3: least privilege — an ended
or revoked consent discloses nothing more; V4.2.1: no data of a professional who did not
consent to this contact), every alert is recorded for the professional (V7.1.3), and every
alert query goes through ``access/policies.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import F

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.insight import alerts
from peregister.insight.models import AlertSent, AlertSettings
from peregister.notifications.models import OutboxMessage
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for

AMS = clock.AMSTERDAM
PAGE = "/werkgever/meldingen/"
LOG = "/mijn/wie-bekeek-mijn-dossier/"


def _opt_in(contact: Contact, **choices: bool) -> AlertSettings:
    values = {"weekly_digest": True, "whole_organisation": False, "status_changes": False}
    return alerts.save_alert_settings(actor=contact.user, **{**values, **choices})


def _mails(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("pk"))


def _run(at: dt.datetime) -> alerts.AlertRun:
    with time_machine.travel(at, tick=False):
        return alerts.send_employer_alerts()


def _later(days: int, hour: int = 9) -> dt.datetime:
    day = clock.today() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=AMS)


# --- the settings page ------------------------------------------------------------------------


def test_everything_is_off_by_default_and_the_contact_sets_its_own(world: World) -> None:
    client = client_for(world.contact_live.user)
    body = client.get(PAGE).content.decode()
    assert "checked" not in body
    assert "hele organisatie" not in body  # not offered to a contact who does not manage
    response = client.post(PAGE, {"weekly_digest": "on", "status_changes": "on"})
    assert response.status_code == 302
    settings = AlertSettings.objects.get(contact=world.contact_live)
    assert (settings.weekly_digest, settings.whole_organisation, settings.status_changes) == (
        True,
        False,
        True,
    )
    assert settings.status_changes_since is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.ALERT_SETTINGS_CHANGED)
    assert event.contact == world.contact_live
    assert "checked" in client.get(PAGE).content.decode()


def test_a_contact_cannot_choose_the_whole_organisation(world: World) -> None:
    response = client_for(world.contact_live.user).post(
        PAGE, {"weekly_digest": "on", "whole_organisation": "on"}
    )
    assert response.status_code == 400
    assert "beheerder en de 2e contactpersoon" in response.content.decode()
    assert not AlertSettings.objects.exists()  # no partial write


def test_the_administrator_may_and_garbage_is_no_choice(world: World) -> None:
    client = client_for(world.administrator.user)
    assert "hele organisatie" in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"weekly_digest": "\x00" * 5000, "whole_organisation": "on"})
    assert response.status_code == 302
    assert AlertSettings.objects.get(contact=world.administrator).whole_organisation


# --- the weekly digest ------------------------------------------------------------------------


def test_digest_names_the_professional_once_a_week_and_it_is_recorded(world: World) -> None:
    _opt_in(world.contact_live)
    monday = _later(7 - clock.today().weekday())  # next Monday, 09:00 Amsterdam
    assert _run(monday).digests == 1
    [mail] = _mails("alert_digest")
    assert mail.recipients == [world.contact_live.email]
    # The world's professional has no points 100 days in: at risico, and named.
    assert [row["name"] for row in mail.context["rows"]] == [world.professional.full_name]
    event = AuditEvent.objects.get(action=AuditEvent.Action.ALERT_SENT)
    assert list(event.professionals.all()) == [world.professional]
    assert event.contact == world.contact_live
    log = client_for(world.professional.user).get(LOG).content.decode()
    assert "melding verstuurd aan Regiomanager" in log
    # The rest of the week: nothing more. The next week: the next digest.
    assert _run(monday + dt.timedelta(days=1)).digests == 0
    assert _run(monday + dt.timedelta(days=6, hours=14)).digests == 0  # Sunday 23:00
    assert _run(monday + dt.timedelta(days=7)).digests == 1
    assert len(_mails("alert_digest")) == 2


def test_nobody_to_name_sends_nothing(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, points=12)  # behaald
    _opt_in(world.contact_live)
    assert _run(_later(1)).digests == 0
    assert _mails("alert_digest") == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_SENT).exists()


def test_expired_and_revoked_grants_get_nothing(world: World) -> None:
    _opt_in(world.contact_expired, status_changes=True)
    _opt_in(world.contact_revoked, status_changes=True)
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=1)
    _run(_later(1))
    assert OutboxMessage.objects.filter(template__startswith="alert_").count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_SENT).exists()


def test_a_grant_ending_stops_the_digest_from_the_next_amsterdam_day(world: World) -> None:
    _opt_in(world.contact_live)
    last_day = clock.today() + dt.timedelta(days=10)
    AccessGrant.objects.filter(contact=world.contact_live).update(valid_until=last_day)
    evening = dt.datetime(last_day.year, last_day.month, last_day.day, 23, 30, tzinfo=AMS)
    # 00:30 the next day in Amsterdam is still ``last_day`` in UTC: the grant has ended.
    after_midnight = evening + dt.timedelta(hours=1)
    assert after_midnight.astimezone(dt.UTC).date() == last_day
    assert _run(after_midnight).digests == 0
    AlertSent.objects.all().delete()
    assert _run(evening).digests == 1


def test_revoking_stops_alerts_from_that_moment(world: World) -> None:
    _opt_in(world.contact_live)
    grant = AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)
    client = client_for(world.professional.user)
    assert client.post(f"/mijn/inzage-werkgever/{grant.code}/intrekken/").status_code == 302
    assert _run(_later(1)).digests == 0
    assert _mails("alert_digest") == []


@pytest.mark.parametrize("how", ["suspended", "deactivated"])
def test_a_suspended_organisation_or_deactivated_contact_gets_nothing(
    world: World, how: str
) -> None:
    _opt_in(world.contact_live, status_changes=True)
    if how == "suspended":
        Organisation.objects.filter(pk=world.organisation.pk).update(
            status=Organisation.Status.SUSPENDED
        )
    else:
        Contact.objects.filter(pk=world.contact_live.pk).update(active=False)
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=1)
    _run(_later(1))
    assert OutboxMessage.objects.filter(template__startswith="alert_").count() == 0


def test_the_whole_organisation_digest_is_the_reports_and_a_contacts_is_its_own(
    world: World,
) -> None:
    other = factories.RegistrationFactory().professional
    factories.PePeriodFactory(registration=other.registrations.get())
    factories.AccessGrantFactory(professional=other, contact=world.deputy)
    _opt_in(world.administrator, whole_organisation=True)
    _opt_in(world.contact_live)
    _run(_later(1))
    by_contact = {
        tuple(mail.recipients): sorted(row["name"] for row in mail.context["rows"])
        for mail in _mails("alert_digest")
    }
    assert by_contact == {
        (world.administrator.email,): sorted([world.professional.full_name, other.full_name]),
        (world.contact_live.email,): [world.professional.full_name],
    }


def test_a_demoted_administrator_no_longer_gets_the_organisation(world: World) -> None:
    other = factories.RegistrationFactory().professional
    factories.PePeriodFactory(registration=other.registrations.get())
    factories.AccessGrantFactory(professional=other, contact=world.contact_live)
    _opt_in(world.deputy, whole_organisation=True)
    Contact.objects.filter(pk=world.deputy.pk).update(role=Contact.Role.CONTACT)
    _run(_later(1))
    assert _mails("alert_digest") == []  # the deputy holds no grant of its own


def test_every_alert_asks_the_policy_module(world: World, monkeypatch: Any) -> None:
    """Replace ``policies.alert_grants`` by one that grants nothing: nothing goes out."""
    calls: list[tuple[int, bool]] = []

    def nobody(contact: Contact, at: Any = None, *, whole_organisation: bool = False) -> Any:
        calls.append((contact.pk, whole_organisation))
        return AccessGrant.objects.none()

    _opt_in(world.contact_live, status_changes=True)
    _opt_in(world.administrator, whole_organisation=True, status_changes=True)
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=1)
    monkeypatch.setattr(policies, "alert_grants", nobody)
    _run(_later(1))
    assert OutboxMessage.objects.filter(template__startswith="alert_").count() == 0
    assert set(calls) == {
        (world.contact_live.pk, False),  # digest and status changes
        (world.administrator.pk, True),  # the organisation digest
        (world.administrator.pk, False),  # status changes: its own grants only
    }


# --- status changes ---------------------------------------------------------------------------


def _status_event(world: World, action: str, *, minutes: int, **data: Any) -> None:
    with (
        time_machine.travel(clock.now() + dt.timedelta(minutes=minutes), tick=False),
        transaction.atomic(),
    ):
        record(action, actor=None, professionals=[world.professional], register="up", **data)


def test_status_changes_are_mailed_once_after_opting_in(world: World) -> None:
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=-5)  # before opting in
    _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=1)
    _status_event(world, AuditEvent.Action.RENEWAL_DECIDED, minutes=2, decision="approved")
    _status_event(world, AuditEvent.Action.RENEWAL_DECIDED, minutes=3, decision="rejected")
    _status_event(world, AuditEvent.Action.REGISTRATION_LAPSED, minutes=4)
    assert _run(_later(1)).status_changes == 3
    [mail] = _mails("alert_status")
    assert [change["change"] for change in mail.context["changes"]] == [
        "submitted",
        "approved",
        "lapsed",
    ]
    assert mail.recipients == [world.contact_live.email]
    event = AuditEvent.objects.get(action=AuditEvent.Action.ALERT_SENT)
    assert list(event.professionals.all()) == [world.professional]
    # Again (and again later): nothing new.
    assert _run(_later(1, hour=10)).status_changes == 0
    # The mark back at the opting in (a run that crashed before moving it): the claims hold.
    AlertSettings.objects.update(status_changes_since=F("changed_at"))
    assert _run(_later(2)).status_changes == 0
    assert len(_mails("alert_status")) == 1


def test_behaald_once_per_period_and_only_with_the_points(world: World) -> None:
    _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    _status_event(world, AuditEvent.Action.COMPLETIONS_REGISTERED, minutes=1)
    assert _run(_later(1)).status_changes == 0  # points added, not yet behaald
    _points(world, 12, clock.now() + dt.timedelta(minutes=60 * 24 + 60))
    _status_event(world, AuditEvent.Action.SELF_REPORT_DECIDED, minutes=60 * 24 + 61)
    assert _run(_later(2)).status_changes == 1
    assert _mails("alert_status")[0].context["changes"][0]["change"] == "met"
    _status_event(world, AuditEvent.Action.COMPLETIONS_REGISTERED, minutes=60 * 48 + 60)
    assert _run(_later(3)).status_changes == 0


def test_status_changes_before_the_grant_began_are_not_mailed(world: World) -> None:
    newcomer = factories.ProfessionalFactory()
    _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    with (
        time_machine.travel(clock.now() + dt.timedelta(minutes=1), tick=False),
        transaction.atomic(),
    ):
        record(AuditEvent.Action.REGISTRATION_LAPSED, actor=None, professionals=[newcomer])
    with time_machine.travel(clock.now() + dt.timedelta(minutes=2), tick=False):
        factories.AccessGrantFactory(
            professional=newcomer, contact=world.contact_live, granted_at=clock.now()
        )
    assert _run(_later(1)).status_changes == 0


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_alert_mails_render_in_text_and_html(world: World, language: str) -> None:
    from peregister.notifications.mail import render_mail

    _opt_in(world.contact_live, status_changes=True)
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=1)
    _run(_later(1))
    for template in ("alert_digest", "alert_status"):
        [queued] = _mails(template)
        mail = render_mail(template, queued.context, language)
        html = str(mail.alternatives[0][0])
        assert world.professional.full_name in mail.body, template
        assert world.professional.full_name in html, template
        assert "{%" not in mail.body + html + mail.subject
    digest = render_mail("alert_digest", _mails("alert_digest")[0].context, language)
    status = render_mail("alert_status", _mails("alert_status")[0].context, language)
    if language == "nl":
        assert digest.subject == "Wekelijks overzicht PE-register: 1 professional vraagt aandacht"
        assert "dossier ingediend" in status.body
        assert "risico" in digest.body
    else:
        assert digest.subject == "Weekly overview PE register: 1 professional needs attention"
        assert "dossier submitted" in status.body


def test_a_status_alert_claimed_by_a_concurrent_run_is_not_sent_and_the_run_goes_on(
    world: World,
) -> None:
    """Another run (a second machine, an overlapping job) claims contact_live's change between
    this run reading the changes and claiming them: this run sends that contact nothing and
    still mails the next contact (review F5: the claim's IntegrityError ended the job)."""
    _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    _opt_in(world.deputy, weekly_digest=False, status_changes=True)
    factories.AccessGrantFactory(professional=world.professional, contact=world.deputy)
    _status_event(world, AuditEvent.Action.RENEWAL_SUBMITTED, minutes=1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.RENEWAL_SUBMITTED)
    raced: list[str] = []

    def other_run_claims_first(execute: Any, sql: str, *args: Any) -> Any:
        result = execute(sql, *args)
        # This run has read what was claimed before; the other run commits its claim now.
        if not raced and sql.startswith("SELECT") and AlertSent._meta.db_table in sql:
            raced.append(sql)
            AlertSent.objects.create(
                contact=world.contact_live,
                kind=AlertSent.Kind.STATUS,
                key=f"submitted:{event.pk}:{world.professional.pk}",
                sent_at=clock.now(),
            )
        return result

    with connection.execute_wrapper(other_run_claims_first):
        assert _run(_later(1)).status_changes == 1
    assert raced
    [mail] = _mails("alert_status")
    assert mail.recipients == [world.deputy.email]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ALERT_SENT).count() == 1


def _points(world: World, points: int, at: dt.datetime, *, of: Any = None) -> None:
    """``points`` registered at ``at`` for ``of`` (the world's professional when None), as
    the register's writers do."""
    professional = of or world.professional
    with time_machine.travel(at, tick=False), transaction.atomic():
        factories.CompletionFactory(professional=professional, points=points)
        record(AuditEvent.Action.COMPLETIONS_REGISTERED, actor=None, professionals=[professional])


def test_behaald_is_not_mailed_for_a_period_met_before_opting_in(world: World) -> None:
    _points(world, 12, _later(1))  # behaald
    with time_machine.travel(_later(10), tick=False):
        _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    _points(world, 2, _later(20))  # more points: still behaald, nothing new
    assert _run(_later(21)).status_changes == 0
    assert _mails("alert_status") == []


def test_behaald_is_mailed_when_it_crossed_and_dated_that_day(world: World) -> None:
    _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    _points(world, 6, _later(3))
    _points(world, 6, _later(5))  # 12 of 12: behaald on day 5
    _points(world, 3, _later(7))
    assert _run(_later(8)).status_changes == 1
    [change] = _mails("alert_status")[0].context["changes"]
    assert (change["change"], change["on"]) == ("met", _later(5).date().isoformat())


def test_behaald_before_the_grant_began_is_not_mailed(world: World) -> None:
    registration = factories.RegistrationFactory()
    factories.PePeriodFactory(registration=registration)
    newcomer = registration.professional
    _opt_in(world.contact_live, weekly_digest=False, status_changes=True)
    _points(world, 12, _later(2), of=newcomer)  # behaald before granting access
    with time_machine.travel(_later(3), tick=False):
        factories.AccessGrantFactory(
            professional=newcomer, contact=world.contact_live, granted_at=clock.now()
        )
    _points(world, 1, _later(4), of=newcomer)
    assert _run(_later(5)).status_changes == 0

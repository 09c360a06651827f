"""Alerts to employer contacts, only while a grant lives: a weekly digest and status changes.

Everything is off by default; a contact switches it on for itself (*Meldingen*). Who an alert
may name is decided by ``peregister.access.policies.alert_grants`` **at the moment of sending**
(a revoked or ended grant names nobody from that moment; a deactivated contact or suspended
organisation gets nothing). Each alert is claimed once (``AlertSent``'s unique constraint),
so running the daily job again, or on two machines, sends nothing twice. Every alert that
names a professional is recorded (``alert.sent``, linked to them) and shows in their *Wie
bekeek mijn dossier* as "melding verstuurd aan …".

- The **weekly digest** (once per ISO week, the first daily run of the week): the rows of the
  *rapportage*'s row source (``reports.rows``) that need attention — *achter*, *risico*, or
  the period ends within ``DIGEST_ENDING_DAYS`` days short of points. For the contact's own
  grants, or, for a beheerder or 2e contactpersoon who chose it, the organisation report's.
- **Status changes** (*behaald*, dossier ingediend, verlenging goedgekeurd, *vervallen*): read
  from the audit events after the contact switched them on and after the professional's
  grant began, for professionals who grant the contact access at sending. *Behaald* by
  points is the moment the period's points crossed from short to met (``_met``): a period
  met before the contact switched them on (or before the grant) is nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peregister.access import policies
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.refusals import Refused
from peregister.insight.models import AlertSent, AlertSettings
from peregister.notifications.mail import absolute_url, enqueue_mail
from peregister.organisations.models import Contact
from peregister.registry.models import Completion, PePeriod, Professional, Register
from peregister.registry.periods import PeriodStatus
from peregister.reports.rows import ReportRow, rows_for_grants

DIGEST_ENDING_DAYS = 90
# How long a status change's transaction may stay open after recording its event and still be
# found by the next daily run (the mark stays this far behind the run). Generous: a bulk
# import takes minutes, and reading a change again costs only a claim check.
SETTLE = dt.timedelta(minutes=15)
# The digest names at most this many professionals; the rest are counted, and the list
# (filter *risico*) or the *rapportage* shows them all.
DIGEST_MAX_NAMED = 100
_RUNNING = frozenset({str(PeriodStatus.ON_TRACK.value), str(PeriodStatus.BEHIND.value)})

# Status changes, by the audit event that tells them.
MET, SUBMITTED, APPROVED, LAPSED = "met", "submitted", "approved", "lapsed"
STATUS_LABELS = {
    MET: _("behaald"),
    SUBMITTED: _("dossier ingediend"),
    APPROVED: _("verlenging goedgekeurd"),
    LAPSED: _("vervallen"),
}
# Events after which a period may have become *behaald* by its points.
_POINTS_ADDED = (
    AuditEvent.Action.COMPLETIONS_REGISTERED,
    AuditEvent.Action.SELF_REPORT_DECIDED,
)
_STATUS_SOURCES = (
    AuditEvent.Action.RENEWAL_SUBMITTED,
    AuditEvent.Action.RENEWAL_DECIDED,
    AuditEvent.Action.REGISTRATION_LAPSED,
    *_POINTS_ADDED,
)


# --- settings ---------------------------------------------------------------------------------


def settings_of(contact: Contact) -> AlertSettings:
    """The contact's settings; unsaved and all off when never set."""
    found = AlertSettings.objects.filter(contact=contact).first()
    return found or AlertSettings(contact=contact, changed_at=clock.now())


def save_alert_settings(
    *, actor: Any, weekly_digest: bool, whole_organisation: bool, status_changes: bool
) -> AlertSettings:
    """The acting contact's own alert settings (a contact sets only its own)."""
    contact = policies.contact_of(actor) if getattr(actor, "is_authenticated", False) else None
    if contact is None or not contact.active or not contact.organisation.takes_grants:
        raise Refused(_("Alleen een contactpersoon van een geautoriseerde werkgever kan dit."))
    if whole_organisation and not contact.manages_organisation:
        raise Refused(
            _("Alleen de beheerder en de 2e contactpersoon kunnen de hele organisatie kiezen."),
            field="whole_organisation",
        )
    if whole_organisation and not weekly_digest:
        whole_organisation = False  # it is a choice about the digest only
    now = clock.now()
    with transaction.atomic():
        current = AlertSettings.objects.select_for_update().filter(contact=contact).first()
        settings = current or AlertSettings(contact=contact)
        if status_changes and not settings.status_changes:
            settings.status_changes_since = now  # from now on: never the past
        settings.weekly_digest = weekly_digest
        settings.whole_organisation = whole_organisation
        settings.status_changes = status_changes
        settings.changed_at = now
        settings.save()
        record(
            AuditEvent.Action.ALERT_SETTINGS_CHANGED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            weekly_digest=weekly_digest,
            whole_organisation=whole_organisation,
            status_changes=status_changes,
        )
    return settings


# --- what an alert says -----------------------------------------------------------------------


def needs_attention(row: ReportRow, today: dt.date) -> bool:
    """A digest row: a running period *achter*, at *risico*, or ending soon short of points."""
    if row.status not in _RUNNING or row.period_end is None:
        return False
    ending_soon = (row.period_end - today).days <= DIGEST_ENDING_DAYS
    return row.status == PeriodStatus.BEHIND.value or row.at_risk or ending_soon


def digest_rows(contact: Contact, at: dt.datetime, *, whole_organisation: bool) -> list[ReportRow]:
    """The rows a digest to ``contact`` at ``at`` shows (through ``policies.alert_grants``)."""
    grants = policies.alert_grants(contact, at, whole_organisation=whole_organisation)
    today = clock.local_date(at)
    return [row for row in rows_for_grants(grants, today) if needs_attention(row, today)]


@dataclass(frozen=True)
class StatusChange:
    key: str  # what ``AlertSent.key`` claims: one mail per change
    change: str  # MET, SUBMITTED, APPROVED or LAPSED
    professional_id: int
    register: str
    at: dt.datetime


def status_changes(
    contact: Contact,
    since: dt.datetime,
    until: dt.datetime,
    event: tuple[int, dt.datetime] | None = None,
) -> list[StatusChange]:
    """Status changes in (``since``, ``until``] of professionals whose live grant at ``until``
    (``policies.alert_grants``) names them to ``contact`` and began before the change; with
    ``event`` (its id and moment), that event's changes too, even before ``since``."""
    grants = policies.alert_grants(contact, until)
    consented_since = dict(
        grants.order_by()
        .values("professional_id")
        .annotate(first=Min("granted_at"))
        .values_list("professional_id", "first")
    )
    if not consented_since:
        return []
    window = Q(auditevent__at__gt=since)
    if event is not None:
        window |= Q(auditevent_id=event[0])
    links = (
        AuditEvent.professionals.through.objects.filter(
            window,
            auditevent__at__lte=until,
            auditevent__action__in=_STATUS_SOURCES,
            professional_id__in=list(consented_since),
        )
        .order_by("auditevent__at", "auditevent_id", "professional_id")
        .values_list(
            "auditevent_id",
            "auditevent__action",
            "auditevent__data",
            "auditevent__at",
            "professional_id",
        )
    )
    registers = dict(Register.objects.values_list("code", "name"))
    found: list[StatusChange] = []
    points_added: dict[int, dt.datetime] = {}
    for event_id, action, data, at, professional_id in links:
        if at < consented_since[professional_id]:
            continue  # before the professional consented
        register = registers.get(str(data.get("register", "")), "")
        if action == AuditEvent.Action.RENEWAL_SUBMITTED:
            change = SUBMITTED
        elif action == AuditEvent.Action.RENEWAL_DECIDED and data.get("decision") == "approved":
            change = APPROVED
        elif action == AuditEvent.Action.REGISTRATION_LAPSED:
            change = LAPSED
        elif action in _POINTS_ADDED:
            points_added[professional_id] = at
            continue
        else:
            continue
        key = f"{change}:{event_id}:{professional_id}"
        found.append(StatusChange(key, change, professional_id, register, at))
    if points_added:
        # The event's own points crossed when its completions were written, in its
        # transaction before it was recorded (``registered_at``): a little earlier.
        met_since = min(since, event[1] - SETTLE) if event is not None else since
        found.extend(_met(points_added, consented_since, met_since, until))
    return found


def _met(
    points_added: dict[int, dt.datetime],
    consented_since: dict[int, dt.datetime],
    since: dt.datetime,
    until: dt.datetime,
) -> list[StatusChange]:
    """*Behaald* by points: the current period of a professional who got points is met now,
    and its points crossed from short to met in (``since``, ``until``] and after the grant
    began: at the registration of the completion that brought it to the required points
    (points are never taken away, so the running total of the completions in the order they
    were registered tells when). Once per period; a period met before says nothing new."""
    today = clock.local_date(until)
    periods = list(
        PePeriod.objects.current(today)
        .filter(
            registration__professional_id__in=list(points_added),
            points_earned__gte=F("points_required"),
        )
        .values_list(
            "pk",
            "registration__professional_id",
            "registration__register__name",
            "start",
            "end",
            "points_required",
        )
    )
    if not periods:
        return []
    completions = (
        Completion.objects.filter(
            professional_id__in=[period[1] for period in periods],
            completed_on__gte=min(period[3] for period in periods),
        )
        .order_by("registered_at", "pk")
        .values_list("professional_id", "completed_on", "points", "registered_at")
    )
    by_professional: dict[int, list[tuple[dt.date, int, dt.datetime]]] = {}
    for professional_id, completed_on, points, registered_at in completions:
        by_professional.setdefault(professional_id, []).append(
            (completed_on, points, registered_at)
        )
    found: list[StatusChange] = []
    for period_id, professional_id, register, start, end, required in periods:
        total, crossed = 0, None
        for completed_on, points, registered_at in by_professional.get(professional_id, []):
            if start <= completed_on <= end:
                total += points
                if total >= required:
                    crossed = registered_at
                    break
        if crossed is None or not since < crossed <= until:
            continue
        if crossed < consented_since[professional_id]:
            continue  # met before the professional consented
        found.append(StatusChange(f"{MET}:{period_id}", MET, professional_id, register, crossed))
    return found


# --- sending ----------------------------------------------------------------------------------


def _recipient_language(contact: Contact) -> str:
    return getattr(contact.user, "language", None) or "nl"


def _names(professional_ids: list[int]) -> dict[int, str]:
    return {p.pk: p.full_name for p in Professional.objects.filter(pk__in=professional_ids)}


def _record(contact: Contact, kind: str, key: str, professional_ids: list[int]) -> None:
    record(
        AuditEvent.Action.ALERT_SENT,
        actor=None,
        organisation=contact.organisation,
        contact=contact,
        professionals=sorted(set(professional_ids)),
        kind=kind,
        key=key,
    )


def _claim(contact: Contact, kind: str, keys: dict[str, int]) -> set[str]:
    """Claim ``keys`` (key → professionals named) for ``contact``; returns the keys this run
    claimed. A key a concurrent run claimed first is left out, never an error: that run sends
    it (one savepoint for all, and one per key only after a conflict)."""
    now = clock.now()

    def row(key: str) -> AlertSent:
        return AlertSent(contact=contact, kind=kind, key=key, sent_at=now, professionals=keys[key])

    try:
        with transaction.atomic():
            AlertSent.objects.bulk_create([row(key) for key in keys])
        return set(keys)
    except IntegrityError:
        pass
    claimed = set()
    for key in keys:
        try:
            with transaction.atomic():
                row(key).save(force_insert=True)
            claimed.add(key)
        except IntegrityError:
            continue
    return claimed


def week_key(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def send_digest(settings: AlertSettings, at: dt.datetime) -> bool:
    """The contact's digest of ``at``'s ISO week, once; False when sent before or empty."""
    contact = settings.contact
    key = week_key(clock.local_date(at))
    if AlertSent.objects.filter(contact=contact, kind=AlertSent.Kind.DIGEST, key=key).exists():
        return False
    rows = digest_rows(contact, at, whole_organisation=settings.whole_organisation)
    named = rows[:DIGEST_MAX_NAMED]
    with transaction.atomic():
        # Claimed even when empty: the week's digest is decided once.
        professionals = len({row.professional_id for row in named})
        if not _claim(contact, AlertSent.Kind.DIGEST, {key: professionals}):
            return False  # another run claimed this week a moment ago
        if not rows:
            return False
        link = (
            reverse("reports:report")
            if settings.whole_organisation
            else reverse("insight:professionals") + "?risico=1"
        )
        enqueue_mail(
            template="alert_digest",
            to=[contact.email],
            language=_recipient_language(contact),
            context={
                "contact_name": contact.name,
                "organisation_name": contact.organisation.name,
                "whole_organisation": settings.whole_organisation,
                "rows": [
                    {
                        "name": row.name,
                        "register": row.register,
                        "status": row.status,
                        "at_risk": row.at_risk,
                        "points_earned": row.points_earned or 0,
                        "points_required": row.points_required or 0,
                        "forecast_points": row.forecast_points or 0,
                        "period_end": dates.iso(row.period_end),
                    }
                    for row in named
                ],
                "more": len(rows) - len(named),
                "link": absolute_url(link),
            },
        )
        _record(contact, AlertSent.Kind.DIGEST, key, [row.professional_id for row in named])
    return True


def send_status_alerts(
    settings: AlertSettings,
    at: dt.datetime,
    *,
    advance: bool = True,
    event: tuple[int, dt.datetime] | None = None,
) -> int:
    """Mail the contact the status changes since its mark; returns how many were new.

    An event carries the moment it was recorded, inside its transaction, which may commit
    after a run read the events. So neither run trusts the mark alone, and the claims keep
    each alert once whatever two runs both read:

    - ``advance`` (the daily run): move the mark to ``SETTLE`` before ``at``, never back: the
      next daily run reads again what committed late in the last ``SETTLE``.
    - ``event`` (the alert queued at its commit, ``status_alerts_for_event``): the event's
      own changes are read even when the mark is past its moment."""
    contact = settings.contact
    since = settings.status_changes_since or at
    changes = status_changes(contact, since, at, event)
    sent_before = set(
        AlertSent.objects.filter(
            contact=contact, kind=AlertSent.Kind.STATUS, key__in=[c.key for c in changes]
        ).values_list("key", flat=True)
    )
    new = [change for change in changes if change.key not in sent_before]
    with transaction.atomic():
        if new:
            claimed = _claim(contact, AlertSent.Kind.STATUS, {change.key: 1 for change in new})
            new = [change for change in new if change.key in claimed]
        if new:
            names = _names([change.professional_id for change in new])
            enqueue_mail(
                template="alert_status",
                to=[contact.email],
                language=_recipient_language(contact),
                context={
                    "contact_name": contact.name,
                    "organisation_name": contact.organisation.name,
                    "changes": [
                        {
                            "name": names.get(change.professional_id, ""),
                            "change": change.change,
                            "register": change.register,
                            "on": dates.iso(clock.local_date(change.at)),
                        }
                        for change in new
                    ],
                    "link": absolute_url(reverse("insight:professionals")),
                },
            )
            _record(
                contact,
                AlertSent.Kind.STATUS,
                new[0].key,
                [change.professional_id for change in new],
            )
        if advance:
            AlertSettings.objects.filter(pk=settings.pk, status_changes=True).update(
                status_changes_since=max(since, at - SETTLE)
            )
    return len(new)


def tells_status_change(action: str) -> bool:
    """An audit event after which a status alert may be due (``_STATUS_SOURCES``)."""
    return action in _STATUS_SOURCES


def status_alerts_for_event(event_id: int, at: dt.datetime | None = None) -> int:
    """The status alerts a just-committed change is due (the task worker, queued by
    ``insight.apps`` when the event that tells the change is committed): for every contact
    who opted in and holds a grant from a professional the event names. What is sent, to whom
    and about whom is ``send_status_alerts``' decision, as in the daily run: only
    professionals whose grant lives at sending (``policies.alert_grants``), each change once.
    Acts as the system, like the daily run."""
    moment = at or clock.now()
    recorded = AuditEvent.objects.filter(pk=event_id).values_list("at", flat=True).first()
    if recorded is None:
        return 0
    named = AuditEvent.professionals.through.objects.filter(auditevent_id=event_id).values(
        "professional_id"
    )
    opted_in = (
        AlertSettings.objects.filter(
            status_changes=True, contact__grants__professional_id__in=named
        )
        .select_related("contact__organisation", "contact__user")
        .distinct()
        .order_by("pk")
    )
    return sum(
        send_status_alerts(settings, moment, advance=False, event=(event_id, recorded))
        for settings in opted_in
    )


@dataclass(frozen=True)
class AlertRun:
    digests: int
    status_changes: int


def send_employer_alerts(*, at: dt.datetime | None = None) -> AlertRun:
    """The daily job: every opted-in contact's digest (once a week) and status changes.
    Acts as the system (no ``actor``); the ``AlertSent`` rows and ``alert.sent`` events are
    its record."""
    moment = at or clock.now()
    opted_in = AlertSettings.objects.select_related("contact__organisation", "contact__user")
    digests = sum(
        1
        for settings in opted_in.filter(weekly_digest=True).order_by("pk")
        if send_digest(settings, moment)
    )
    changes = sum(
        send_status_alerts(settings, moment)
        for settings in opted_in.filter(status_changes=True).order_by("pk")
    )
    return AlertRun(digests=digests, status_changes=changes)

"""A training provider's own writes: *accreditatieaanvraag* and *uitvoeringen* (sessions).

The provider is always the actor's own (``require_provider``): nothing here takes a provider
from the caller, so a user can never act for another provider. Staff decide on requests in
``backoffice/accreditation.py``; attendance goes through ``registry/completions.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_provider
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.refusals import Refused
from peregister.registry.models import (
    MAX_POINTS,
    AccreditationRequest,
    Completion,
    LearningActivity,
    Session,
)

MAX_DURATION_HOURS = 1000
MAX_DESCRIPTION = 5000
# Sessions further ahead than this are typing mistakes, not plans.
MAX_YEARS_AHEAD = 5


@dataclass(frozen=True)
class AccreditationData:
    title: str
    kind: str
    description: str
    duration_hours: int
    points_requested: int
    planned_from: dt.date
    planned_until: dt.date | None


def _validate(data: AccreditationData) -> None:
    if not data.title.strip():
        raise Refused(_("Vul de titel in."), field="title")
    if data.kind not in LearningActivity.Kind.values:
        raise Refused(_("Kies een soort uit de lijst."), field="kind")
    if not data.description.strip() or len(data.description) > MAX_DESCRIPTION:
        raise Refused(_("Beschrijf de activiteit in hoogstens 5.000 tekens."), field="description")
    if not 1 <= data.duration_hours <= MAX_DURATION_HOURS:
        raise Refused(_("De duur ligt tussen 1 en 1.000 uur."), field="duration_hours")
    if not 0 <= data.points_requested <= MAX_POINTS:
        raise Refused(_("Het aantal PE-punten ligt tussen 0 en 100."), field="points_requested")
    # A request asks to recognise what is still to come: planned dates in the past would let
    # a provider have sessions that already took place recognised after the fact.
    if data.planned_from < clock.today():
        raise Refused(
            _("‘Gepland vanaf’ ligt in het verleden; vraag accreditatie aan vóór de activiteit."),
            field="planned_from",
        )
    if data.planned_until is not None and data.planned_until < data.planned_from:
        raise Refused(_("‘Gepland tot en met’ ligt vóór ‘gepland vanaf’."), field="planned_until")


def submit_accreditation_request(*, actor: Any, data: AccreditationData) -> AccreditationRequest:
    """The actor's provider asks the register to recognise an activity."""
    contact = require_provider(actor)
    _validate(data)
    with transaction.atomic():
        request = AccreditationRequest.objects.create(
            provider=contact.organisation,
            submitted_by=actor,
            submitted_at=clock.now(),
            title=data.title.strip(),
            kind=data.kind,
            description=data.description.strip(),
            duration_hours=data.duration_hours,
            points_requested=data.points_requested,
            planned_from=data.planned_from,
            planned_until=data.planned_until,
        )
        record(
            AuditEvent.Action.ACCREDITATION_SUBMITTED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            request=str(request.code),
        )
    return request


# --- what a provider sees: only its own ------------------------------------------------------


def own_requests(actor: Any) -> QuerySet[AccreditationRequest]:
    contact = require_provider(actor)
    return AccreditationRequest.objects.filter(provider_id=contact.organisation_id).select_related(
        "activity"
    )


def own_request_or_404(actor: Any, code: Any) -> AccreditationRequest:
    """Another provider's request is unknown here (404), like any object not yours."""
    request = own_requests(actor).filter(code=code).first()
    if request is None:
        raise Http404
    return request


def own_activities(actor: Any) -> QuerySet[LearningActivity]:
    contact = require_provider(actor)
    return LearningActivity.objects.filter(offered_by_id=contact.organisation_id)


def own_session_or_404(actor: Any, code: Any) -> Session:
    session = (
        Session.objects.select_related("activity")
        .filter(activity__in=own_activities(actor), code=code)
        .first()
    )
    if session is None:
        raise Http404
    return session


def _check_session(
    activity: LearningActivity, starts_on: dt.date, ends_on: dt.date, location: str, online: bool
) -> None:
    """The rules of a session's dates and place, when added and when corrected."""
    if ends_on < starts_on:
        raise Refused(_("De einddatum ligt vóór de begindatum."), field="ends_on")
    if not online and not location:
        raise Refused(_("Vul de locatie in, of kies online."), field="location")
    if starts_on.year > clock.today().year + MAX_YEARS_AHEAD:
        raise Refused(_("De begindatum ligt te ver in de toekomst."), field="starts_on")
    if not (activity.is_recognised_on(starts_on) and activity.is_recognised_on(ends_on)):
        until = dates.prose_date(activity.recognised_until) if activity.recognised_until else "…"
        raise Refused(
            _("Een uitvoering valt binnen de erkenning: %(start)s tot en met %(end)s.")
            % {"start": dates.prose_date(activity.recognised_from), "end": until},
            field="starts_on",
        )


def add_session(
    *,
    actor: Any,
    activity: LearningActivity,
    starts_on: dt.date,
    ends_on: dt.date,
    location: str,
    online: bool,
) -> Session:
    """*Uitvoering toevoegen*: a session of the provider's own recognised activity, within its
    recognition period."""
    contact = require_provider(actor)
    if activity.offered_by_id != contact.organisation_id:
        raise Refused(_("Deze activiteit is niet van uw organisatie."))
    location = location.strip()
    _check_session(activity, starts_on, ends_on, location, online)
    with transaction.atomic():
        session = Session.objects.create(
            activity=activity,
            starts_on=starts_on,
            ends_on=ends_on,
            location=location[:200],
            online=online,
            created_at=clock.now(),
        )
        record(
            AuditEvent.Action.SESSION_ADDED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            activity=str(activity.code),
            session=str(session.code),
        )
    return session


def _locked_own_session(actor: Any, session: Session) -> tuple[Any, Session]:
    """The actor's contact and ``session`` read again under the lock of its activity: the
    lock attendance registration takes (``registry/completions.py``), so no attendance can be
    registered between the check below and the change."""
    contact = require_provider(actor)
    if session.activity.offered_by_id != contact.organisation_id:
        raise Refused(_("Deze activiteit is niet van uw organisatie."))
    LearningActivity.objects.select_for_update().filter(pk=session.activity_id).exists()
    fresh = Session.objects.select_related("activity").filter(pk=session.pk).first()
    if fresh is None:
        raise Refused(_("Deze uitvoering bestaat niet meer."), conflict=True)
    return contact, fresh


def _attendance_days(session: Session) -> QuerySet[Completion]:
    """Attendance registered for ``session``: its activity's completions dated within it.
    (A completion keeps its activity and date, not the session; another session of the same
    activity on the same days counts too, which errs on the side of keeping attendance.)"""
    return Completion.objects.filter(
        activity_id=session.activity_id, completed_on__range=(session.starts_on, session.ends_on)
    )


def change_session(
    *,
    actor: Any,
    session: Session,
    starts_on: dt.date,
    ends_on: dt.date,
    location: str,
    online: bool,
) -> Session:
    """*Uitvoering wijzigen*: correct dates and place, by the same rules as adding it; the
    attendance already registered must stay within the new dates (points are never moved or
    taken away by a correction)."""
    location = location.strip()
    with transaction.atomic():
        contact, session = _locked_own_session(actor, session)
        _check_session(session.activity, starts_on, ends_on, location, online)
        outside = (
            _attendance_days(session)
            .exclude(completed_on__range=(starts_on, ends_on))
            .order_by("completed_on")
            .values_list("completed_on", flat=True)
            .first()
        )
        if outside is not None:
            raise Refused(
                _(
                    "Op %(day)s is presentie geregistreerd voor deze uitvoering; de nieuwe data "
                    "moeten die dag omvatten."
                )
                % {"day": dates.prose_date(outside)},
                field="starts_on",
            )
        was = [session.starts_on.isoformat(), session.ends_on.isoformat()]
        Session.objects.filter(pk=session.pk).update(
            starts_on=starts_on, ends_on=ends_on, location=location[:200], online=online
        )
        record(
            AuditEvent.Action.SESSION_CHANGED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            activity=str(session.activity.code),
            session=str(session.code),
            was=was,
            now=[starts_on.isoformat(), ends_on.isoformat()],
        )
    session.refresh_from_db()
    return session


def cancel_session(*, actor: Any, session: Session) -> Session:
    """*Uitvoering annuleren*: the session is removed (agenda, API, attendance pages). Refused
    once attendance is registered for it: those points stand, so the session that gave them
    stays (correct its details instead)."""
    with transaction.atomic():
        contact, session = _locked_own_session(actor, session)
        if _attendance_days(session).exists():
            raise Refused(
                _(
                    "Voor deze uitvoering is presentie geregistreerd; ze kan niet meer worden "
                    "geannuleerd. Wijzig zo nodig de gegevens."
                )
            )
        session.delete()
        record(
            AuditEvent.Action.SESSION_CANCELLED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            activity=str(session.activity.code),
            session=str(session.code),
            dates=[session.starts_on.isoformat(), session.ends_on.isoformat()],
        )
    return session  # as it was (no longer stored)

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

"""Leeractiviteiten: recognise, change and end the recognition of learning activities.

Completions copy an activity's title and points when registered, so changes here never rewrite
history; but a recognition window may not be narrowed past completions already registered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import dates
from peregister.core.refusals import Refused
from peregister.organisations.models import Organisation
from peregister.registry.models import MAX_POINTS, LearningActivity


def _refused(field: str, message: str) -> Refused:
    """The change breaks a rule; the message belongs to the form field ``field``."""
    return Refused(message, field=field)


@dataclass(frozen=True)
class ActivityData:
    title: str
    provider: str
    kind: str
    points: int
    recognised_from: dt.date
    recognised_until: dt.date | None
    organisation: Organisation | None


def _validate(data: ActivityData) -> None:
    if not 0 <= data.points <= MAX_POINTS:
        raise _refused("points", _("Het aantal PE-punten ligt tussen 0 en 100."))
    if data.recognised_until is not None and data.recognised_until < data.recognised_from:
        raise _refused("recognised_until", _("‘Erkend tot en met’ ligt vóór ‘erkend vanaf’."))
    if data.organisation is not None:
        if data.kind != LearningActivity.Kind.IN_COMPANY:
            raise _refused(
                "organisation",
                _("Alleen een in-company activiteit hoort bij één organisatie."),
            )
        if not data.organisation.takes_grants:
            raise _refused("organisation", _("Kies een geautoriseerde organisatie."))


def _validate_against_completions(
    activity: LearningActivity,
    start: dt.date,
    until: dt.date | None,
    until_field: str = "recognised_until",
) -> None:
    """A recognition window must keep covering the completions already registered for it."""
    span = activity.completions.aggregate(first=Min("completed_on"), last=Max("completed_on"))
    first, last = span["first"], span["last"]
    if first is not None and first < start:
        raise _refused(
            "recognised_from",
            _("Er is al presentie geregistreerd op %(date)s; erkend vanaf mag niet later zijn.")
            % {"date": dates.prose_date(first)},
        )
    if last is not None and until is not None and last > until:
        raise _refused(
            until_field,
            _("Er is al presentie geregistreerd op %(date)s; erkend tot mag niet eerder zijn.")
            % {"date": dates.prose_date(last)},
        )


def _audit_data(activity: LearningActivity, change: str) -> dict[str, Any]:
    # Catalogue data is not personal data: the audit keeps what was saved.
    return {
        "activity": str(activity.code),
        "change": change,
        "points": activity.points,
        "recognised_from": activity.recognised_from.isoformat(),
        "recognised_until": activity.recognised_until.isoformat()
        if activity.recognised_until
        else None,
    }


def recognise_activity(
    *, actor: Any, data: ActivityData, offered_by: Organisation | None = None
) -> LearningActivity:
    """A new catalogue activity; ``offered_by`` is the provider whose accreditation request it
    answers (only its users add sessions and attendance)."""
    require_staff(actor)
    _validate(data)
    with transaction.atomic():
        activity = LearningActivity.objects.create(**asdict(data), offered_by=offered_by)
        record(AuditEvent.Action.ACTIVITY_SAVED, actor=actor, **_audit_data(activity, "created"))
    return activity


def update_activity(
    *, actor: Any, activity: LearningActivity, data: ActivityData
) -> LearningActivity:
    require_staff(actor)
    _validate(data)
    with transaction.atomic():
        locked = LearningActivity.objects.select_for_update().get(pk=activity.pk)
        _validate_against_completions(locked, data.recognised_from, data.recognised_until)
        for name, value in asdict(data).items():
            setattr(locked, name, value)
        locked.save()
        record(AuditEvent.Action.ACTIVITY_SAVED, actor=actor, **_audit_data(locked, "updated"))
    return locked


def end_recognition(
    *, actor: Any, activity: LearningActivity, last_day: dt.date
) -> LearningActivity:
    """Recognition ends after ``last_day`` (inclusive); ending can only bring the end forward."""
    require_staff(actor)
    with transaction.atomic():
        locked = LearningActivity.objects.select_for_update().get(pk=activity.pk)
        if last_day < locked.recognised_from:
            raise _refused("last_day", _("De laatste dag ligt vóór het begin van de erkenning."))
        if locked.recognised_until is not None and last_day >= locked.recognised_until:
            raise _refused(
                "last_day",
                _("De erkenning eindigt al op %(date)s.")
                % {"date": dates.prose_date(locked.recognised_until)},
            )
        _validate_against_completions(locked, locked.recognised_from, last_day, "last_day")
        locked.recognised_until = last_day
        locked.save(update_fields=["recognised_until"])
        record(AuditEvent.Action.ACTIVITY_SAVED, actor=actor, **_audit_data(locked, "ended"))
    return locked

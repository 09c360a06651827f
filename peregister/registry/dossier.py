"""A professional's dossier as the pages show it: one read model for every viewer.

Who may see it is decided by ``peregister.access.policies`` before these are called.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper

from peregister.audit.models import AuditEvent
from peregister.registry.intake import FIELD_LABELS
from peregister.registry.models import Completion, PePeriod, Professional, Registration
from peregister.registry.periods import has_started, is_current
from peregister.registry.progress import Progress


@dataclass(frozen=True)
class PeriodView:
    period: PePeriod
    progress: Progress
    completions: list[Completion] = field(default_factory=list)

    @property
    def renewal_status(self) -> str | None:
        return getattr(self.period, "renewal_status", None)

    @property
    def renewal_submitted_at(self) -> dt.datetime | None:
        return getattr(self.period, "renewal_submitted_at", None)


@dataclass(frozen=True)
class RegistrationView:
    registration: Registration
    current: PeriodView | None
    earlier: list[PeriodView]


def registration_views(
    professional: Professional, today: dt.date, *, with_completions: bool = False
) -> list[RegistrationView]:
    """Registrations with their periods (newest first), figures computed in SQL.

    A constant number of queries: periods with points and renewal state in one, completions
    (when asked) in one more.
    """
    periods = list(
        PePeriod.objects.with_progress()
        .filter(has_started(today), registration__professional=professional)
        .annotate(current=ExpressionWrapper(is_current(today), output_field=BooleanField()))
        .order_by("registration__register__name", "registration_id", "-start")
    )
    completions: list[Completion] = []
    if with_completions:
        completions = list(
            Completion.objects.filter(professional=professional).order_by("-completed_on", "-id")
        )
    current: dict[int, PeriodView] = {}
    earlier: dict[int, list[PeriodView]] = {}
    registrations: dict[int, Registration] = {}
    for period in periods:
        period_completions = [c for c in completions if period.contains(c.completed_on)]
        view = PeriodView(period, period.progress(today), period_completions)
        if period.current:
            current[period.registration_id] = view
        else:
            earlier.setdefault(period.registration_id, []).append(view)
        registrations.setdefault(period.registration_id, period.registration)
    return [
        RegistrationView(registration, current.get(pk), earlier.get(pk, []))
        for pk, registration in registrations.items()
    ]


# What the register changed in a professional's data, as the dossier tells them.
REGISTER_CHANGES = (
    AuditEvent.Action.PROFESSIONAL_CHANGED,
    AuditEvent.Action.PROFESSIONALS_IMPORTED,
    AuditEvent.Action.REGISTRATION_ENDED,
)
RECENT_CHANGES = 10


@dataclass(frozen=True)
class RegisterChange:
    at: dt.datetime
    action: str
    label: str
    fields: list[str]
    reason: str


def register_changes(professional: Professional) -> list[RegisterChange]:
    """The register's latest changes to ``professional``'s data (one query), newest first."""
    events = AuditEvent.objects.filter(
        professionals=professional, action__in=REGISTER_CHANGES
    ).order_by("-at", "-id")[:RECENT_CHANGES]
    return [
        RegisterChange(
            at=event.at,
            action=event.action,
            label=str(AuditEvent.Action(event.action).label),
            fields=[
                str(FIELD_LABELS[name])
                for name in event.data.get("fields", [])
                if name in FIELD_LABELS
            ],
            # The professional is told why the register ended their registration.
            reason=str(event.data.get("reason", "")),
        )
        for event in events
    ]

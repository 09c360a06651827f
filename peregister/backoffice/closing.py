"""Period closing: registrations whose PE period ran out unmet become *vervallen* (lapsed).

A registration lapses when its latest period ended before today, that period's renewal was not
approved, and it holds fewer points than the period required. ``lapse_overdue_registrations``
is safe to run every day and on two machines at once: each registration is changed by a
conditional UPDATE (``status = 'active'``) in its own transaction, so it lapses, is audited and
is mailed exactly once. Staff can reinstate a lapsed registration with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.backoffice.notify import day, mail_professional
from peregister.core import clock
from peregister.registry.models import PePeriod, Registration, RenewalSubmission
from peregister.registry.periods import period_end
from peregister.registry.querysets import points_in_period

MAX_REASON_LENGTH = 2000


def with_latest_period(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate each registration's latest period (by start) with its points and renewal."""
    latest = PePeriod.objects.filter(registration=OuterRef("pk")).order_by("-start")
    approved = RenewalSubmission.objects.filter(
        period=OuterRef("latest_period"), status=RenewalSubmission.Status.APPROVED
    )
    return registrations.annotate(
        latest_period=Subquery(latest.values("pk")[:1]),
        latest_start=Subquery(latest.values("start")[:1]),
        latest_end=Subquery(latest.values("end")[:1]),
        latest_required=Subquery(latest.values("points_required")[:1]),
    ).annotate(
        latest_points=points_in_period("professional", "latest_start", "latest_end"),
        latest_renewed=Exists(approved),
    )


def overdue_registrations(today: dt.date) -> QuerySet[Registration]:
    return with_latest_period(
        Registration.objects.filter(status=Registration.Status.ACTIVE)
    ).filter(
        # Q objects: the filters name annotations, which the type checker cannot see.
        Q(latest_end__lt=today),
        Q(latest_renewed=False),
        Q(latest_points__lt=F("latest_required")),
    )


@dataclass(frozen=True)
class ClosingResult:
    candidates: int
    lapsed: int


def _lapse_one(pk: int, today: dt.date) -> bool:
    with transaction.atomic():
        # Checked again inside the transaction: points or a renewal may have arrived meanwhile.
        registration = (
            overdue_registrations(today)
            .select_related("professional", "register")
            .filter(pk=pk)
            .first()
        )
        if registration is None:
            return False
        changed = Registration.objects.filter(pk=pk, status=Registration.Status.ACTIVE).update(
            status=Registration.Status.LAPSED, status_changed_at=clock.now()
        )
        if changed != 1:  # another run lapsed it first
            return False
        annotated: Any = registration
        professional = registration.professional
        record(
            AuditEvent.Action.REGISTRATION_LAPSED,
            actor=None,
            professionals=[professional],
            register=registration.register.code,
            period_start=annotated.latest_start.isoformat(),
            period_end=annotated.latest_end.isoformat(),
            points_earned=annotated.latest_points,
            points_required=annotated.latest_required,
        )
        mail_professional(
            professional=professional,
            template="registration_lapsed",
            context={
                "register_name": registration.register.name,
                "period_start": day(annotated.latest_start),
                "period_end": day(annotated.latest_end),
                "points_earned": annotated.latest_points,
                "points_required": annotated.latest_required,
            },
        )
        return True


def lapse_overdue_registrations(today: dt.date | None = None) -> ClosingResult:
    day_of_run = today or clock.today()
    candidates = list(overdue_registrations(day_of_run).values_list("pk", flat=True))
    lapsed = sum(1 for pk in candidates if _lapse_one(pk, day_of_run))
    return ClosingResult(candidates=len(candidates), lapsed=lapsed)


class ReinstateRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reinstate_registration(*, actor: Any, registration: Registration, reason: str) -> PePeriod:
    """Make a lapsed registration active again; a new period starts today if none runs now."""
    reason = reason.strip()
    if not reason:
        raise ReinstateRefused(_("Geef een reden voor het herstel."))
    if len(reason) > MAX_REASON_LENGTH:
        raise ReinstateRefused(_("De reden is te lang (maximaal 2000 tekens)."))
    today = clock.today()
    with transaction.atomic():
        changed = Registration.objects.filter(
            pk=registration.pk, status=Registration.Status.LAPSED
        ).update(status=Registration.Status.ACTIVE, status_changed_at=clock.now())
        if changed != 1:
            raise ReinstateRefused(_("Deze registratie is niet (meer) vervallen."))
        register = registration.register
        period = registration.periods.filter(start__lte=today, end__gte=today).first()
        if period is None:
            period, _created = PePeriod.objects.get_or_create(
                registration=registration,
                start=today,
                defaults={
                    "end": period_end(today, register.period_months),
                    "points_required": register.points_required,
                },
            )
        record(
            AuditEvent.Action.REGISTRATION_REINSTATED,
            actor=actor,
            professionals=[registration.professional],
            register=register.code,
            period_start=period.start.isoformat(),
            # The staff's justification, not dossier contents.
            reason=reason,
        )
    return period

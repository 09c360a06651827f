"""Period closing: registrations whose PE period ran out unmet become *vervallen* (lapsed).

A registration lapses when its current period is *verlopen* by the period rule
(``peregister.registry.periods``): ended before today, renewal not approved, fewer points than
required. ``lapse_overdue_registrations``
is safe to run every day and on two machines at once: each registration is changed by a
conditional UPDATE (``status = 'active'``) in its own transaction, so it lapses, is audited and
is mailed exactly once. Staff can reinstate a lapsed registration with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.reasons import clean_reason
from peregister.core.refusals import Refused
from peregister.notifications.mail import mail_professional
from peregister.registry import figures, reminders
from peregister.registry.models import PePeriod, Registration
from peregister.registry.periods import PeriodStatus, period_end
from peregister.registry.querysets import PePeriodQuerySet


def overdue_periods(today: dt.date) -> PePeriodQuerySet:
    """Current periods of active registrations whose status is *verlopen* (the period rule):
    ended before ``today``, renewal not approved, fewer points than required."""
    return (
        PePeriod.objects.current(today)
        .filter(registration__status=Registration.Status.ACTIVE)
        .with_status(today)
        .filter(period_status=PeriodStatus.EXPIRED)
    )


@dataclass(frozen=True)
class ClosingResult:
    candidates: int
    lapsed: int


def _lapse_one(pk: int, today: dt.date) -> bool:
    with transaction.atomic():
        # Checked again inside the transaction: points or a renewal may have arrived meanwhile.
        period: Any = (
            overdue_periods(today)
            .select_related("registration__professional", "registration__register")
            .filter(registration_id=pk)
            .first()
        )
        if period is None:
            return False
        changed = Registration.objects.filter(pk=pk, status=Registration.Status.ACTIVE).update(
            status=Registration.Status.LAPSED, status_changed_at=clock.now()
        )
        if changed != 1:  # another run lapsed it first
            return False
        registration = period.registration
        professional = registration.professional
        record(
            AuditEvent.Action.REGISTRATION_LAPSED,
            actor=None,
            professionals=[professional],
            register=registration.register.code,
            period_start=period.start.isoformat(),
            period_end=period.end.isoformat(),
            points_earned=period.points_earned,
            points_required=period.points_required,
        )
        # Shown with the reminders in *Mijn PE-dossier* (the conditional UPDATE above already
        # makes this lapse, and its mail, happen once).
        reminders.record_lapse(period)
        mail_professional(
            **professional.mail_recipient(),
            template="registration_lapsed",
            context={
                "register_name": registration.register.name,
                "period_start": dates.iso(period.start),
                "period_end": dates.iso(period.end),
                "points_earned": period.points_earned,
                "points_required": period.points_required,
            },
        )
        return True


def lapse_overdue_registrations(*, today: dt.date | None = None) -> ClosingResult:
    """The daily closing, acting as the system (no ``actor``: only ``close_periods`` runs it)."""
    day_of_run = today or clock.today()
    candidates = list(overdue_periods(day_of_run).values_list("registration_id", flat=True))
    lapsed = sum(1 for pk in candidates if _lapse_one(pk, day_of_run))
    return ClosingResult(candidates=len(candidates), lapsed=lapsed)


def reinstate_registration(*, actor: Any, registration: Registration, reason: str) -> PePeriod:
    """Make a lapsed registration active again; a new period starts today if none runs now."""
    require_staff(actor)
    reason = clean_reason(reason, required=True)
    today = clock.today()
    with transaction.atomic():
        changed = Registration.objects.filter(
            pk=registration.pk, status=Registration.Status.LAPSED
        ).update(status=Registration.Status.ACTIVE, status_changed_at=clock.now())
        if changed != 1:
            raise Refused(_("Deze registratie is niet (meer) vervallen."), conflict=True)
        register = registration.register
        period = (
            PePeriod.objects.current(today)
            .filter(registration=registration, end__gte=today)
            .first()
        )
        if period is None:
            period, _created = figures.open_period(
                registration=registration,
                start=today,
                end=period_end(today, register.period_months),
                points_required=register.points_required,
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

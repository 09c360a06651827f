"""Verlengingen: register staff decide on submitted renewal dossiers.

Approving opens the next PE period the day after the current one ends, with its length and
required points taken from the register at that moment. Each decision is a conditional UPDATE
on the submission still being *submitted*, so two staff deciding at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.reasons import clean_reason
from peregister.core.refusals import Refused
from peregister.notifications.mail import mail_professional
from peregister.registry import figures
from peregister.registry.models import PePeriod, Registration, RenewalSubmission
from peregister.registry.periods import period_end


def renewals_waiting() -> QuerySet[RenewalSubmission]:
    """Open renewal dossiers, bare (what the list counts)."""
    return RenewalSubmission.objects.filter(status=RenewalSubmission.Status.SUBMITTED)


def submitted_renewals() -> QuerySet[RenewalSubmission]:
    """Open renewal dossiers, oldest first, with the period's stored points."""
    return (
        renewals_waiting()
        .select_related("period__registration__professional", "period__registration__register")
        .annotate(points_earned=F("period__points_earned"))
        .order_by("submitted_at", "id")
    )


def _decide(
    renewal: RenewalSubmission, status: RenewalSubmission.Status, actor: Any, reason: str
) -> dt.datetime:
    now = clock.now()
    updated = RenewalSubmission.objects.filter(
        pk=renewal.pk, status=RenewalSubmission.Status.SUBMITTED
    ).update(status=status, decided_at=now, decided_by=actor, reason=reason)
    if updated != 1:
        raise Refused(_("Over dit dossier is al besloten."), conflict=True)
    return now


def approve_renewal(*, actor: Any, renewal: RenewalSubmission) -> PePeriod:
    """Approve; returns the next period (start = day after the current end)."""
    require_staff(actor)
    with transaction.atomic():
        _decide(renewal, RenewalSubmission.Status.APPROVED, actor, "")
        figures.renewal_changed(renewal.period_id)
        period = PePeriod.objects.select_related(
            "registration__register", "registration__professional"
        ).get(pk=renewal.period_id)
        registration = period.registration
        register = registration.register
        start = period.end + dt.timedelta(days=1)
        next_period, _created = figures.open_period(
            registration=registration,
            start=start,
            end=period_end(start, register.period_months),
            points_required=register.points_required,
        )
        # A registration that lapsed while the dossier waited is active again once approved.
        reactivated = Registration.objects.filter(
            pk=registration.pk, status=Registration.Status.LAPSED
        ).update(status=Registration.Status.ACTIVE, status_changed_at=clock.now())
        professional = registration.professional
        record(
            AuditEvent.Action.RENEWAL_DECIDED,
            actor=actor,
            professionals=[professional],
            decision="approved",
            register=register.code,
            period_start=period.start.isoformat(),
            next_period_start=next_period.start.isoformat(),
            reactivated=bool(reactivated),
        )
        mail_professional(
            **professional.mail_recipient(),
            template="renewal_decided",
            context={
                "approved": True,
                "register_name": register.name,
                "period_start": dates.iso(period.start),
                "period_end": dates.iso(period.end),
                "next_start": dates.iso(next_period.start),
                "next_end": dates.iso(next_period.end),
                "next_points": next_period.points_required,
                "reason": "",
            },
        )
    return next_period


def reject_renewal(*, actor: Any, renewal: RenewalSubmission, reason: str) -> None:
    require_staff(actor)
    reason = clean_reason(reason, required=True)
    with transaction.atomic():
        _decide(renewal, RenewalSubmission.Status.REJECTED, actor, reason)
        figures.renewal_changed(renewal.period_id)
        period = PePeriod.objects.select_related(
            "registration__register", "registration__professional"
        ).get(pk=renewal.period_id)
        registration = period.registration
        record(
            AuditEvent.Action.RENEWAL_DECIDED,
            actor=actor,
            professionals=[registration.professional],
            decision="rejected",
            register=registration.register.code,
            period_start=period.start.isoformat(),
        )
        mail_professional(
            **registration.professional.mail_recipient(),
            template="renewal_decided",
            context={
                "approved": False,
                "register_name": registration.register.name,
                "period_start": dates.iso(period.start),
                "period_end": dates.iso(period.end),
                "reason": reason,
            },
        )

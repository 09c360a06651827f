"""*Dossier indienen*: a professional submits the current period's dossier to renew the
PE registration once the period's points reach the required number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.refusals import Refused
from peregister.notifications.mail import mail_professional
from peregister.registry import figures
from peregister.registry.dossier import RegistrationView
from peregister.registry.models import (
    PePeriod,
    Professional,
    Registration,
    RenewalSubmission,
)


@dataclass(frozen=True)
class RenewalOption:
    """Whether the current period's dossier can be submitted, and if not, why."""

    allowed: bool
    reason: str = ""


def _open_submission(period: PePeriod) -> RenewalSubmission | None:
    return (
        period.renewals.exclude(status=RenewalSubmission.Status.REJECTED)
        .order_by("-submitted_at", "-id")
        .first()
    )


def renewal_option(
    *,
    registration: Registration,
    period: PePeriod,
    points_earned: int,
    open_submission: RenewalSubmission | None,
) -> RenewalOption:
    """The one place that says when a dossier may be submitted (page and service both ask)."""
    if registration.status != Registration.Status.ACTIVE:
        return RenewalOption(
            False, _("Uw PE-registratie is niet actief; indienen is daarom niet mogelijk.")
        )
    if open_submission is not None:
        if open_submission.status == RenewalSubmission.Status.APPROVED:
            return RenewalOption(False, _("Het dossier van deze periode is al goedgekeurd."))
        return RenewalOption(
            False,
            _("U heeft het dossier van deze periode al ingediend op %(date)s.")
            % {"date": dates.prose_date(open_submission.submitted_at)},
        )
    if points_earned < period.points_required:
        missing = period.points_required - points_earned
        return RenewalOption(
            False,
            _(
                "U kunt het dossier indienen zodra u in deze PE-periode %(required)s PE-punten "
                "heeft behaald. U heeft er nu %(earned)s; er ontbreken nog %(missing)s."
            )
            % {"required": period.points_required, "earned": points_earned, "missing": missing},
        )
    return RenewalOption(True)


def current_period(registration: Registration, today: dt.date) -> PePeriod | None:
    """The registration's latest period that has started (the one a renewal is about)."""
    return (
        PePeriod.objects.current(today).filter(registration=registration).order_by("-start").first()
    )


def submit_renewal(*, actor: Any, registration: Registration) -> RenewalSubmission:
    """Submit the current period's dossier of ``registration`` on behalf of its professional."""
    professional: Professional = registration.professional
    require_user(
        actor, professional.user_id, _("Alleen de professional zelf kan het dossier indienen.")
    )
    try:
        with transaction.atomic():
            now = clock.now()
            registration.refresh_from_db(fields=["status"])
            period = current_period(registration, clock.local_date(now))
            if period is None:
                raise Refused(_("Er is geen lopende PE-periode om in te dienen."))
            option = renewal_option(
                registration=registration,
                period=period,
                points_earned=period.points_earned,
                open_submission=_open_submission(period),
            )
            if not option.allowed:
                raise Refused(option.reason)
            submission = RenewalSubmission.objects.create(
                period=period, submitted_at=now, submitted_by=actor
            )
            figures.renewal_changed(period.pk)
            record(
                AuditEvent.Action.RENEWAL_SUBMITTED,
                actor=actor,
                professionals=[professional],
                register=registration.register.code,
                period_start=period.start.isoformat(),
                period_end=period.end.isoformat(),
            )
            mail_professional(
                **professional.mail_recipient(),
                template="renewal_submitted",
                context={
                    "register_name": registration.register.name,
                    "period_start": dates.iso(period.start),
                    "period_end": dates.iso(period.end),
                },
            )
    except IntegrityError as exc:
        # A simultaneous submission for the same period won (one open submission per period).
        raise Refused(_("Het dossier van deze periode is al ingediend."), conflict=True) from exc
    return submission


@dataclass(frozen=True)
class RenewalPanel:
    """What the *Dossier indienen* block shows for one registration."""

    registration: Registration
    period: PePeriod
    option: RenewalOption
    submissions: list[RenewalSubmission]


def renewal_panels(views: list[RegistrationView]) -> list[RenewalPanel]:
    """One panel per registration with a current period; submissions fetched in one query."""
    current = [view for view in views if view.current is not None]
    periods = [view.current.period for view in current if view.current is not None]
    by_period: dict[int, list[RenewalSubmission]] = {}
    for submission in RenewalSubmission.objects.filter(period__in=periods).order_by(
        "-submitted_at", "-id"
    ):
        by_period.setdefault(submission.period_id, []).append(submission)
    panels: list[RenewalPanel] = []
    for view in current:
        assert view.current is not None
        period = view.current.period
        submissions = by_period.get(period.pk, [])
        open_submission = next(
            (s for s in submissions if s.status != RenewalSubmission.Status.REJECTED), None
        )
        option = renewal_option(
            registration=view.registration,
            period=period,
            points_earned=view.current.progress.points_earned,
            open_submission=open_submission,
        )
        panels.append(RenewalPanel(view.registration, period, option, submissions))
    return panels

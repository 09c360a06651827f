"""Eigen activiteiten (review): the register approves, with adjustable points, or rejects.

Approval creates the ``Completion`` (source *self_reported*) that makes the points count. A
decision is a conditional UPDATE on the report still being *submitted*, so two staff
deciding at once cannot both succeed; the professional is mailed after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.reasons import clean_reason
from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url, mail_professional
from peregister.registry.completions import add_completion
from peregister.registry.models import MAX_POINTS, Completion, SelfReport


def _mail_decision(report: SelfReport) -> None:
    mail_professional(
        **report.professional.mail_recipient(),
        template="self_report_decided",
        context={
            "title": report.title,
            "completed_on": dates.iso(report.completed_on),
            "approved": report.status == SelfReport.Status.APPROVED,
            "points_claimed": report.points_claimed,
            "points_awarded": report.points_awarded,
            "reason": report.reason,
            "link": absolute_url(reverse("self_reports:list")),
        },
    )


def _decide(report: SelfReport, **changes: Any) -> SelfReport:
    now = clock.now()
    updated = SelfReport.objects.filter(pk=report.pk, status=SelfReport.Status.SUBMITTED).update(
        decided_at=now, **changes
    )
    if updated != 1:
        raise Refused(_("Over deze activiteit is al besloten."), conflict=True)
    return SelfReport.objects.select_related("professional__user").get(pk=report.pk)


def approve_self_report(
    *, actor: Any, report: SelfReport, points: int, reason: str = ""
) -> SelfReport:
    """Approve with ``points`` (may differ from the claim); the points then count."""
    require_staff(actor)
    if not 0 <= points <= MAX_POINTS:
        raise Refused(_("Ken tussen 0 en 100 PE-punten toe."), field="points")
    reason = clean_reason(reason, required=False)
    with transaction.atomic():
        completion = add_completion(
            actor=actor,
            professional_id=report.professional_id,
            title=report.title,
            provider=report.provider,
            kind=report.kind,
            points=points,
            completed_on=report.completed_on,
            source=Completion.Source.SELF_REPORTED,
        )
        # If another decision came first, this raises and the completion is rolled back.
        decided = _decide(
            report,
            status=SelfReport.Status.APPROVED,
            points_awarded=points,
            completion=completion,
            decided_by=actor,
            reason=reason,
        )
        record(
            AuditEvent.Action.SELF_REPORT_DECIDED,
            actor=actor,
            professionals=[decided.professional],
            self_report=str(decided.code),
            decision="approved",
            points_claimed=decided.points_claimed,
            points_awarded=points,
        )
        _mail_decision(decided)
    return decided


def reject_self_report(*, actor: Any, report: SelfReport, reason: str) -> SelfReport:
    require_staff(actor)
    reason = clean_reason(reason, required=True)
    with transaction.atomic():
        decided = _decide(
            report, status=SelfReport.Status.REJECTED, decided_by=actor, reason=reason
        )
        record(
            AuditEvent.Action.SELF_REPORT_DECIDED,
            actor=actor,
            professionals=[decided.professional],
            self_report=str(decided.code),
            decision="rejected",
        )
        _mail_decision(decided)
    return decided

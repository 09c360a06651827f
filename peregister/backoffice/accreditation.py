"""The register's decisions on *accreditatieaanvragen*: *erkennen* or *afwijzen*.

*Erkennen* creates the catalogue activity (``recognise_activity``, with the provider as
``offered_by``) with the points and recognition period staff decide. Each decision is a
conditional UPDATE on the request still being *submitted*, so two staff deciding at once
cannot both succeed; the provider's beheerder is mailed after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.backoffice.activities import ActivityData, recognise_activity
from peregister.backoffice.organisations import mail_administrator
from peregister.core import clock, dates
from peregister.core.reasons import clean_reason
from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url
from peregister.registry.models import AccreditationRequest

Status = AccreditationRequest.Status


def _decide(request: AccreditationRequest, **changes: Any) -> AccreditationRequest:
    updated = AccreditationRequest.objects.filter(pk=request.pk, status=Status.SUBMITTED).update(
        decided_at=clock.now(), **changes
    )
    if updated != 1:
        raise Refused(_("Over deze aanvraag is al besloten."), conflict=True)
    return AccreditationRequest.objects.select_related("provider", "activity").get(pk=request.pk)


def _mail(request: AccreditationRequest) -> None:
    activity = request.activity
    mail_administrator(
        request.provider,
        "accreditation_decided",
        title=request.title,
        recognised=request.status == Status.RECOGNISED,
        points=activity.points if activity else None,
        recognised_from=dates.iso(activity.recognised_from) if activity else None,
        recognised_until=dates.iso(activity.recognised_until) if activity else None,
        reason=request.reason,
        link=absolute_url(reverse("providers:request", args=[request.code])),
    )


def recognise_accreditation(
    *,
    actor: Any,
    request: AccreditationRequest,
    points: int,
    recognised_from: dt.date,
    recognised_until: dt.date | None,
) -> AccreditationRequest:
    """*Erkennen*: the activity enters the catalogue with the points staff decide."""
    require_staff(actor)
    # Staff may recognise from the day the provider asked even when the planned start passed
    # during the review (the provider should not lose sessions to the register's queue), but
    # never from before it: that would make sessions held before anyone asked count.
    asked = clock.local_date(request.submitted_at)
    if recognised_from < asked:
        raise Refused(
            _("De erkenning kan niet ingaan vóór de aanvraag (%(day)s).")
            % {"day": dates.prose_date(asked)},
            field="recognised_from",
        )
    with transaction.atomic():
        provider = request.provider
        if not provider.is_authorised:
            raise Refused(_("De aanbieder is niet (meer) geautoriseerd."))
        activity = recognise_activity(
            actor=actor,
            data=ActivityData(
                title=request.title,
                provider=provider.name,
                kind=request.kind,
                points=points,
                recognised_from=recognised_from,
                recognised_until=recognised_until,
                organisation=None,
            ),
            offered_by=provider,
        )
        decided = _decide(request, status=Status.RECOGNISED, activity=activity, decided_by=actor)
        record(
            AuditEvent.Action.ACCREDITATION_DECIDED,
            actor=actor,
            organisation=provider,
            request=str(request.code),
            status=Status.RECOGNISED.value,
            activity=str(activity.code),
        )
        _mail(decided)
    return decided


def reject_accreditation(
    *, actor: Any, request: AccreditationRequest, reason: str
) -> AccreditationRequest:
    """*Afwijzen* with a reason the provider is mailed."""
    require_staff(actor)
    reason = clean_reason(reason, required=False)
    if not reason:
        raise Refused(_("Vul een reden in; de aanbieder krijgt die per e-mail."), field="reason")
    with transaction.atomic():
        decided = _decide(request, status=Status.REJECTED, reason=reason, decided_by=actor)
        record(
            AuditEvent.Action.ACCREDITATION_DECIDED,
            actor=actor,
            organisation=request.provider,
            request=str(request.code),
            status=Status.REJECTED.value,
        )
        _mail(decided)
    return decided

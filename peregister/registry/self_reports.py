"""*Eigen activiteit*: submit an activity completed elsewhere; staff approve or reject it.

Only approved reports count: approval creates a ``Completion`` (source *self_reported*) with the
points awarded, which may differ from the points claimed. Each decision is a conditional UPDATE
on the report still being *submitted*, so two staff deciding at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import MAX_POINTS, Professional, SelfReport
from peregister.registry.self_report_files import (
    CERTIFICATE_MESSAGES,
    CertificateRefused,
    check_certificate,
    safe_file_name,
)


@dataclass(frozen=True)
class Certificate:
    name: str
    declared_type: str
    data: bytes


@dataclass(frozen=True)
class SelfReportData:
    title: str
    provider: str
    kind: str
    completed_on: dt.date
    description: str
    points_claimed: int
    certificate: Certificate | None = None


def submit_self_report(
    *, actor: Any, professional: Professional, data: SelfReportData
) -> SelfReport:
    require_user(
        actor, professional.user_id, _("Alleen de professional zelf kan een activiteit indienen.")
    )
    if data.completed_on > clock.today():
        raise Refused(_("De datum ligt in de toekomst."), field="completed_on")
    if not 1 <= data.points_claimed <= MAX_POINTS:
        raise Refused(_("Vraag tussen 1 en 100 PE-punten."), field="points_claimed")
    content_type = name = ""
    blob: bytes | None = None
    if data.certificate is not None:
        try:
            content_type = check_certificate(
                name=data.certificate.name,
                declared_type=data.certificate.declared_type,
                data=data.certificate.data,
            )
        except CertificateRefused as refused:
            raise Refused(CERTIFICATE_MESSAGES[refused.code], field="certificate") from refused
        name, blob = safe_file_name(data.certificate.name), data.certificate.data
    with transaction.atomic():
        report = SelfReport.objects.create(
            professional=professional,
            title=data.title,
            provider=data.provider,
            kind=data.kind,
            completed_on=data.completed_on,
            description=data.description,
            points_claimed=data.points_claimed,
            certificate=blob,
            certificate_name=name,
            certificate_type=content_type,
            submitted_at=clock.now(),
        )
        record(
            AuditEvent.Action.SELF_REPORT_SUBMITTED,
            actor=actor,
            professionals=[professional],
            self_report=str(report.code),
            points_claimed=report.points_claimed,
            certificate=bool(blob),
        )
    return report

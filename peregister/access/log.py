"""*Wie bekeek mijn dossier*: the events that showed a professional's data to someone else.

One definition for the page and for the professional's data export.
"""

from __future__ import annotations

from django.db.models import QuerySet

from peregister.audit.models import AuditEvent
from peregister.registry.models import Professional

ACCESS_LOG_ACTIONS = (
    AuditEvent.Action.DOSSIER_VIEWED,
    AuditEvent.Action.REPORT_DOWNLOADED,
    AuditEvent.Action.STATEMENT_VERIFIED,
)


def access_log(professional: Professional) -> QuerySet[AuditEvent]:
    """Newest first, with the organisation and contact that looked (none for a statement's
    share link: only the moment is kept)."""
    return (
        AuditEvent.objects.filter(professionals=professional, action__in=ACCESS_LOG_ACTIONS)
        .select_related("contact__organisation", "organisation")
        .order_by("-at", "-id")
    )

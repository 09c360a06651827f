"""Opening a dossier: the access rule applied and the view recorded, in one service.

Every page that shows a professional's dossier goes through here, so each view is in the
professional's *Wie bekeek mijn dossier*: employer contacts by their grant, register staff by
their staff clause (with ``via`` naming the back-office page).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import Http404

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.accounts.roles import is_register_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.registry.models import Professional


@dataclass(frozen=True)
class OpenedDossier:
    professional: Professional
    at: dt.datetime
    grant: AccessGrant | None  # the viewer's live grant with the latest end date


def open_dossier(
    *, actor: Any, code: uuid.UUID | str, at: dt.datetime | None = None
) -> OpenedDossier:
    """An employer contact opens a dossier by its code; unknown and forbidden are one 404."""
    moment = at or clock.now()
    professional = policies.get_visible_professional_or_404(actor, code, moment)
    grant = (
        policies.live_grants_to_viewer(actor, moment)
        .filter(professional=professional)
        .order_by(F("valid_until").desc(nulls_first=True))
        .first()
    )
    contact = policies.contact_of(actor)
    with transaction.atomic():
        record(
            AuditEvent.Action.DOSSIER_VIEWED,
            actor=actor,
            organisation=contact.organisation if contact is not None else None,
            contact=contact,
            professionals=[professional],
        )
    return OpenedDossier(professional=professional, at=moment, grant=grant)


def open_staff_dossier(*, actor: Any, professional: Professional, via: str) -> Professional:
    """Register staff open ``professional``'s dossier on the back-office page ``via``."""
    if not is_register_staff(actor):
        raise Http404
    with transaction.atomic():
        record(
            AuditEvent.Action.DOSSIER_VIEWED,
            actor=actor,
            professionals=[professional],
            via=via,
        )
    return professional

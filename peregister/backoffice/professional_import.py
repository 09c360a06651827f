"""Applying a checked *Professionals importeren*: all rows or none, and nothing twice.

The rows come back from the check step signed; they are checked again here against the
database, and applied only when the outcome is what staff saw (``fingerprint``). A file with
an error is not applied at all. Importing the same file again finds every row *ongewijzigd*
and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.backoffice.models import ProfessionalImport
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.intake import open_registration
from peregister.registry.models import Professional
from peregister.registry.professional_import import (
    CheckedRow,
    Row,
    Status,
    check_rows,
    fingerprint,
)


def _apply(checked: CheckedRow, today: Any) -> Professional:
    person, register, registered_on = checked.person, checked.register, checked.registered_on
    if person is None or register is None or registered_on is None:
        raise TypeError("only rows checked as new or changed are applied")
    professional = checked.professional
    if professional is None:
        professional = Professional.objects.create(
            registration_number=checked.row.get("registratienummer"),
            first_name=person.first_name,
            name_prefix=person.name_prefix,
            last_name=person.last_name,
            email=person.email,
            date_of_birth=person.date_of_birth,
        )
    else:
        changed = person.changes_from(professional)
        for name in changed:
            setattr(professional, name, getattr(person, name))
        if changed:
            professional.save(update_fields=changed)
    if not professional.registrations.filter(register=register).exists():
        open_registration(
            professional=professional, register=register, registered_on=registered_on, today=today
        )
    return professional


def import_professionals(
    *, actor: Any, rows: list[Row], seen: list[list[Any]], file_name: str
) -> ProfessionalImport | None:
    """Apply ``rows`` if their check is still ``seen``; None when nothing needed changing."""
    require_staff(actor)
    today = clock.today()
    with transaction.atomic():
        checked = check_rows(rows, today=today)
        if fingerprint(checked) != seen:
            raise Refused(
                _(
                    "Sinds de controle is er in het register iets veranderd. Controleer de "
                    "regels opnieuw en bevestig dan."
                ),
                conflict=True,
            )
        if any(c.status is Status.ERROR for c in checked):
            raise Refused(
                _("Het bestand bevat fouten. Verbeter die en lees het bestand opnieuw in.")
            )
        to_apply = [c for c in checked if c.status in (Status.NEW, Status.CHANGED)]
        if not to_apply:
            return None
        try:
            with transaction.atomic():
                applied = [_apply(c, today) for c in to_apply]
        except IntegrityError as exc:
            # A number taken by someone else between the check and now.
            raise Refused(
                _(
                    "Sinds de controle is er in het register iets veranderd. Controleer de "
                    "regels opnieuw en bevestig dan."
                ),
                conflict=True,
            ) from exc
        created = sum(1 for c in to_apply if c.status is Status.NEW)
        professional_import = ProfessionalImport.objects.create(
            created_at=clock.now(),
            created_by=actor,
            file_name=file_name[:200],
            created=created,
            changed=len(to_apply) - created,
            unchanged=len(checked) - len(to_apply),
        )
        professional_import.professionals.add(*applied)
        record(
            AuditEvent.Action.PROFESSIONALS_IMPORTED,
            actor=actor,
            professionals=applied,
            import_code=str(professional_import.code),
            created=professional_import.created,
            changed=professional_import.changed,
            unchanged=professional_import.unchanged,
        )
    return professional_import

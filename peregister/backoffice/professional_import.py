"""Applying a checked *Professionals importeren*: all rows or none, and nothing twice.

The rows come back from the check step signed; they are checked again here against the
database, and applied only when the outcome is what staff saw (``fingerprint``). A file with
an error is not applied at all. Importing the same file again finds every row *ongewijzigd*
and writes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.backoffice.models import ProfessionalImport
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.intake import BATCH_SIZE, open_registrations
from peregister.registry.models import Professional, Register, Registration
from peregister.registry.professional_import import (
    CheckedRow,
    Fingerprint,
    Row,
    Status,
    check_stream,
)


def _apply_all(to_apply: list[CheckedRow], today: Any) -> list[int]:
    """Write the checked rows in batched INSERTs and UPDATEs (an import of 100,000 rows is a
    few hundred statements, not hundreds of thousands); the ids of the professionals."""
    new = [c for c in to_apply if c.professional is None]
    created = Professional.objects.bulk_create(
        [
            Professional(
                registration_number=c.row.get("registratienummer"),
                register=c.register,
                initials=c.person.initials,
                name_prefix=c.person.name_prefix,
                last_name=c.person.last_name,
                email=c.person.email,
                date_of_birth=c.person.date_of_birth,
            )
            for c in new
            if c.person is not None
        ],
        batch_size=BATCH_SIZE,
    )
    changed: list[Professional] = []
    changed_fields: set[str] = set()
    for c in to_apply:
        if c.professional is None or c.person is None:
            continue
        names = c.person.changes_from(c.professional)
        for name in names:
            setattr(c.professional, name, getattr(c.person, name))
        if names:
            changed.append(c.professional)
            changed_fields.update(names)
    if changed:
        Professional.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH_SIZE)
    professionals = dict(zip([id(c) for c in new], created, strict=True))
    wanted: list[tuple[int, Register, Any]] = []
    already = _registered(c.professional.pk for c in to_apply if c.professional is not None)
    for c in to_apply:
        if c.register is None or c.registered_on is None:
            raise TypeError("only rows checked as new or changed are applied")
        professional = c.professional or professionals[id(c)]
        if (professional.pk, c.register.pk) not in already:
            wanted.append((professional.pk, c.register, c.registered_on))
    open_registrations(wanted, today=today)
    return [p.pk for p in created] + [c.professional.pk for c in to_apply if c.professional]


def _registered(professional_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(professional, register) pairs that exist, read in batches of ids."""
    found: set[tuple[int, int]] = set()
    ids = list(professional_ids)
    for at in range(0, len(ids), BATCH_SIZE):
        batch = ids[at : at + BATCH_SIZE]
        found.update(
            Registration.objects.filter(professional_id__in=batch).values_list(
                "professional_id", "register_id"
            )
        )
    return found


CHANGED_SINCE = gettext_lazy(
    "Sinds de controle is er in het register iets veranderd. Controleer de regels opnieuw en "
    "bevestig dan."
)


ALREADY_APPLIED = gettext_lazy("Deze import is al verwerkt. Er is niets opnieuw gewijzigd.")


def _refuse_if_applied(checked_id: uuid.UUID | None) -> None:
    """A check applied before is not applied again: that would undo what changed since."""
    if checked_id is None:
        return
    done = ProfessionalImport.objects.filter(checked_id=checked_id).first()
    if done is not None:
        raise Refused(str(ALREADY_APPLIED), existing=done, code="already_applied")


def import_professionals(
    *,
    actor: Any,
    rows: Iterable[Row],
    seen: str,
    file_name: str,
    checked_id: uuid.UUID | None = None,
) -> ProfessionalImport | None:
    """Apply ``rows`` if their check is still ``seen`` (``Fingerprint``); None when nothing
    needed changing. ``rows`` may be a stream of any length: it is checked and written a batch
    at a time inside one transaction, so memory stays flat and a late surprise undoes it all.
    ``checked_id`` names the check (small imports): it is applied at most once."""
    require_staff(actor)
    _refuse_if_applied(checked_id)
    today = clock.today()
    print_ = Fingerprint()
    counts = Counter[Status]()
    applied: list[int] = []
    try:
        with transaction.atomic():
            batch: list[CheckedRow] = []
            for checked in check_stream(rows, today=today):
                print_.add(checked)
                counts[checked.status] += 1
                if checked.status in (Status.NEW, Status.CHANGED) and not counts[Status.ERROR]:
                    batch.append(checked)
                if len(batch) >= BATCH_SIZE:
                    applied.extend(_apply_all(batch, today))
                    batch = []
            if print_.hexdigest() != seen:
                raise Refused(str(CHANGED_SINCE), conflict=True)
            if counts[Status.ERROR]:
                raise Refused(
                    _("Het bestand bevat fouten. Verbeter die en lees het bestand opnieuw in.")
                )
            applied.extend(_apply_all(batch, today))
            if not applied:
                return None
            return _record_import(actor, applied, counts, file_name, checked_id)
    except IntegrityError as exc:
        # The same check confirmed twice at once (the other request won), or a number taken
        # by someone else between the check and now.
        _refuse_if_applied(checked_id)
        raise Refused(str(CHANGED_SINCE), conflict=True) from exc


def _record_import(
    actor: Any,
    applied: list[int],
    counts: Counter[Status],
    file_name: str,
    checked_id: uuid.UUID | None,
) -> ProfessionalImport:
    professional_import = ProfessionalImport.objects.create(
        checked_id=checked_id,
        created_at=clock.now(),
        created_by=actor,
        file_name=file_name[:200],
        created=counts[Status.NEW],
        changed=counts[Status.CHANGED],
        unchanged=counts[Status.UNCHANGED],
    )
    through = ProfessionalImport.professionals.through
    through.objects.bulk_create(
        [
            through(professionalimport_id=professional_import.pk, professional_id=pk)
            for pk in applied
        ],
        batch_size=BATCH_SIZE,
    )
    # One event for the whole import, linked to everyone it took on or changed: their dossier
    # shows it under *Wijzigingen door het register*.
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

"""Staff take on professionals one at a time: add, correct personal data, end a registration.

The rules on the data are ``registry.intake``'s (shared with the import); these services add
the actor, the transaction and the audit event. Audit data holds field names and codes only,
never the values (personal data stays in the dossier).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.reasons import clean_reason
from peregister.core.refusals import Refused
from peregister.registry.intake import (
    PersonData,
    number_problem,
    open_registration,
    person_problems,
    start_problem,
)
from peregister.registry.models import Professional, Register, Registration


@dataclass(frozen=True)
class NewProfessional:
    person: PersonData
    registration_number: str
    register: Register
    registered_on: dt.date


def _refuse_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise Refused(message, field=field)


def number_taken_refusal(number: str, register: Register) -> Refused | None:
    """The number is the register's key for a person: a second person in the same register may
    not get it, in whatever case it is written (another register numbers its own people)."""
    existing = Professional.objects.filter(
        register=register, registration_number__iexact=number
    ).first()
    if existing is None:
        return None
    return Refused(
        _("Registratienummer %(number)s hoort in %(register)s al bij een andere professional.")
        % {"number": existing.registration_number, "register": register.name},
        field="registration_number",
        existing=existing,
    )


def add_professional(*, actor: Any, data: NewProfessional) -> Professional:
    """A new professional with a registration in ``data.register`` and its first PE period."""
    require_staff(actor)
    today = clock.today()
    _refuse_first(person_problems(data.person, register=data.register, today=today))
    if problem := number_problem(data.registration_number):
        raise Refused(problem, field="registration_number")
    if problem := start_problem(data.registered_on, today):
        raise Refused(problem, field="registered_on")
    if refusal := number_taken_refusal(data.registration_number, data.register):
        raise refusal
    try:
        with transaction.atomic():
            professional = Professional.objects.create(
                registration_number=data.registration_number,
                register=data.register,
                initials=data.person.initials,
                name_prefix=data.person.name_prefix,
                last_name=data.person.last_name,
                email=data.person.email,
                date_of_birth=data.person.date_of_birth,
            )
            registration, period = open_registration(
                professional=professional,
                register=data.register,
                registered_on=data.registered_on,
                today=today,
            )
            record(
                AuditEvent.Action.PROFESSIONAL_ADDED,
                actor=actor,
                professionals=[professional],
                register=data.register.code,
                registered_on=registration.registered_on.isoformat(),
                period_start=period.start.isoformat(),
            )
    except IntegrityError:
        # Another request took the number between the check and the insert.
        if refusal := number_taken_refusal(data.registration_number, data.register):
            raise refusal from None
        raise
    return professional


def update_professional(*, actor: Any, professional: Professional, person: PersonData) -> list[str]:
    """Correct personal data; returns the names of the fields that changed (none: no write)."""
    require_staff(actor)
    today = clock.today()
    with transaction.atomic():
        # Judged against the registers the professional is in now (date of birth may be needed).
        needs_birth = professional.registrations.filter(
            register__requires_date_of_birth=True
        ).first()
        register = needs_birth.register if needs_birth is not None else None
        _refuse_first(person_problems(person, register=register, today=today))
        changed = person.changes_from(professional)
        if not changed:
            return []
        for name in changed:
            setattr(professional, name, getattr(person, name))
        professional.save(update_fields=changed)
        user = professional.user
        if "email" in changed and user is not None and not user.has_usable_password():
            # An account never used follows the register's corrected address (review F2); one
            # with a password keeps the address its owner uses to log in and recover.
            user.email = person.email
            user.save(update_fields=["email"])
        record(
            AuditEvent.Action.PROFESSIONAL_CHANGED,
            actor=actor,
            professionals=[professional],
            fields=changed,
        )
    return changed


def end_registration(*, actor: Any, registration: Registration, reason: str) -> Registration:
    """*Beëindigen*: the register ends the registration (not *vervallen*, which is the period
    rule's). An active or lapsed registration can be ended; an ended one stays as it is."""
    require_staff(actor)
    reason = clean_reason(reason, required=True)
    with transaction.atomic():
        changed = (
            Registration.objects.filter(pk=registration.pk)
            .exclude(status=Registration.Status.ENDED)
            .update(
                status=Registration.Status.ENDED,
                status_changed_at=clock.now(),
                end_reason=reason,
            )
        )
        if changed != 1:
            raise Refused(_("Deze registratie is al beëindigd."), conflict=True)
        record(
            AuditEvent.Action.REGISTRATION_ENDED,
            actor=actor,
            professionals=[registration.professional_id],
            register=registration.register.code,
            # The staff's justification, not dossier contents.
            reason=reason,
        )
    registration.refresh_from_db(fields=["status", "status_changed_at", "end_reason"])
    return registration

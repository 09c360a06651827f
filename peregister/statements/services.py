"""Writes on *PE-verklaringen*: make one, withdraw one, count a verification.

Each runs in one transaction with its audit event. A share link is a random token shown once;
only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.dates import prose_date
from peregister.core.refusals import Refused
from peregister.registry.models import Professional, Registration
from peregister.registry.standing import Standing, standing
from peregister.statements import content, signing
from peregister.statements.models import Statement

DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 365
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class Created:
    statement: Statement
    token: str  # the share link's secret: shown once, never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token: str) -> Statement | None:
    """The statement a share link names; ``None`` for anything else (malformed included)."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return (
        Statement.objects.select_related("registration__register", "professional")
        .filter(token_hash=hash_token(token))
        .first()
    )


def token_matches(statement: Statement, token: str) -> bool:
    return bool(TOKEN_SHAPE.fullmatch(token)) and secrets.compare_digest(
        statement.token_hash, hash_token(token)
    )


def validity_out_of_range() -> str:
    return _("Een link is minstens 1 en hoogstens %(max)s dagen geldig.") % {"max": MAX_VALID_DAYS}


def _require_owner(actor: Any, professional: Professional) -> None:
    require_user(
        actor,
        professional.user_id,
        _("Alleen de professional zelf kan een PE-verklaring beheren."),
    )


def _require_active(current: Standing) -> None:
    """A statement speaks for an active registration only, by the period rule: a period that
    ran out short lapses it, whether or not ``close_periods`` has run yet."""
    if current.active:
        return
    if current.ran_out_on is not None:
        raise Refused(
            _(
                "Uw PE-periode liep af op %(date)s zonder de vereiste PE-punten; daarmee is uw "
                "PE-registratie vervallen. U kunt alleen een PE-verklaring maken over een "
                "actieve PE-registratie."
            )
            % {"date": prose_date(current.ran_out_on)},
            field="register",
        )
    raise Refused(
        _("U kunt alleen een PE-verklaring maken over een actieve PE-registratie."),
        field="register",
    )


def create_statement(
    *,
    actor: Any,
    registration: Registration,
    choices: content.Choices,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> Created:
    """Collect, sign and store a statement about ``registration`` as it is now."""
    _require_owner(actor, registration.professional)
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise Refused(validity_out_of_range(), field="valid_days")
    # Whole seconds: the JWT's times are whole seconds, and the three forms must agree.
    issued_at = clock.now().replace(microsecond=0)
    _require_active(standing(registration, clock.local_date(issued_at)))
    valid_until = issued_at + dt.timedelta(days=valid_days)
    code = uuid.uuid4()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        facts = content.collect(registration, choices, issued_at=issued_at, valid_until=valid_until)
        signed = signing.sign(
            content.credential(facts, code=str(code)),
            issued_at=issued_at,
            expires_at=valid_until,
        )
        statement = Statement.objects.create(
            code=code,
            professional=registration.professional,
            registration=registration,
            token_hash=hash_token(token),
            issued_at=issued_at,
            valid_until=valid_until,
            include_registration_number=choices.registration_number,
            include_period=choices.period,
            include_points=choices.points,
            kid=signed.kid,
            jwt=signed.token,
        )
        record(
            AuditEvent.Action.STATEMENT_CREATED,
            actor=actor,
            professionals=[registration.professional],
            statement=str(code),
            register=registration.register.code,
            valid_until=valid_until.isoformat(),
        )
    return Created(statement=statement, token=token)


def withdraw_statement(*, actor: Any, statement: Statement) -> Statement:
    """Stop the share link from now on; the statement stays in the list as withdrawn."""
    _require_owner(actor, statement.professional)
    with transaction.atomic():
        updated = Statement.objects.filter(pk=statement.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=clock.now()
        )
        if not updated:
            raise Refused(_("Deze PE-verklaring is al ingetrokken."), conflict=True)
        record(
            AuditEvent.Action.STATEMENT_WITHDRAWN,
            actor=actor,
            professionals=[statement.professional],
            statement=str(statement.code),
        )
    statement.refresh_from_db()
    return statement


def record_verification(statement: Statement) -> None:
    """Someone opened the share link: counted, and shown in *Wie bekeek mijn dossier* with
    its date and time only (nothing about the visitor is kept)."""
    with transaction.atomic():
        now = clock.now()
        Statement.objects.filter(pk=statement.pk).update(
            verification_count=F("verification_count") + 1, last_verified_at=now
        )
        record(
            AuditEvent.Action.STATEMENT_VERIFIED,
            actor=None,
            professionals=[statement.professional_id],
            statement=str(statement.code),
        )

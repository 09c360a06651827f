"""The live status of a *PE-verklaring*: what its share link says today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from peregister.registry.models import Registration
from peregister.statements.models import Statement


class LiveStatus(models.TextChoices):
    VALID = "valid", _("geldig")
    REGISTRATION_LAPSED = "lapsed", _("registratie sindsdien vervallen")
    REGISTRATION_ENDED = "ended", _("registratie sindsdien beëindigd")
    WITHDRAWN = "withdrawn", _("ingetrokken")
    EXPIRED = "expired", _("link verlopen")


# The statement's content is shown only while the link is live; a withdrawn or expired link
# shows its status and nothing else.
SHOWS_CONTENT = frozenset(
    {LiveStatus.VALID, LiveStatus.REGISTRATION_LAPSED, LiveStatus.REGISTRATION_ENDED}
)


@dataclass(frozen=True)
class Live:
    status: LiveStatus
    since: dt.datetime | None = None

    @property
    def shows_content(self) -> bool:
        return self.status in SHOWS_CONTENT


def live_status(statement: Statement, at: dt.datetime) -> Live:
    """Withdrawn or expired first (expired wins when the link had run out before withdrawal);
    then whether the registration has lapsed or ended since the statement was made."""
    withdrawn = statement.withdrawn_at is not None and statement.withdrawn_at <= at
    reference = statement.withdrawn_at if withdrawn and statement.withdrawn_at else at
    if statement.valid_until <= reference:
        return Live(LiveStatus.EXPIRED, statement.valid_until)
    if withdrawn:
        return Live(LiveStatus.WITHDRAWN, statement.withdrawn_at)
    registration = statement.registration
    if registration.status == Registration.Status.LAPSED:
        return Live(LiveStatus.REGISTRATION_LAPSED, registration.status_changed_at)
    if registration.status == Registration.Status.ENDED:
        return Live(LiveStatus.REGISTRATION_ENDED, registration.status_changed_at)
    return Live(LiveStatus.VALID)

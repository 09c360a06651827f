"""The live status of a *PE-verklaring*: what its share link says today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from peregister.core import clock
from peregister.registry.models import Registration
from peregister.registry.standing import Standing, standings
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


def _live(statement: Statement, at: dt.datetime, standing: Standing) -> Live:
    withdrawn = statement.withdrawn_at is not None and statement.withdrawn_at <= at
    reference = statement.withdrawn_at if withdrawn and statement.withdrawn_at else at
    if statement.valid_until <= reference:
        return Live(LiveStatus.EXPIRED, statement.valid_until)
    if withdrawn:
        return Live(LiveStatus.WITHDRAWN, statement.withdrawn_at)
    if standing.status == Registration.Status.LAPSED:
        return Live(LiveStatus.REGISTRATION_LAPSED, standing.since)
    if standing.status == Registration.Status.ENDED:
        return Live(LiveStatus.REGISTRATION_ENDED, standing.since)
    return Live(LiveStatus.VALID)


def live_statuses(statements: Sequence[Statement], at: dt.datetime) -> list[Live]:
    """Withdrawn or expired first (expired wins when the link had run out before withdrawal);
    then whether the registration has lapsed or ended since the statement was made, by the
    period rule (``registry.standing``): the answer does not wait for ``close_periods``.
    One query for the registrations' standings, however many statements."""
    current = standings([s.registration for s in statements], clock.local_date(at))
    return [_live(s, at, current[s.registration_id]) for s in statements]


def live_status(statement: Statement, at: dt.datetime) -> Live:
    return live_statuses([statement], at)[0]

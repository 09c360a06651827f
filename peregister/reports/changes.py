"""The HR API's ``changes`` feed: which professionals of the *rapportage* changed after a cursor,
so an HR system stays in sync without reading the whole report again.

A change is a moment and a professional. The moments come from what is stored — a grant to a
contact of the organisation given or revoked (``granted_at``, ``revoked_at``), a period's
figures written (``figures_changed_at``: points, renewal), a registration's status changed —
from the audit events the services record with every other change the list shows or that makes a
grant stop (or start again) applying: a granted contact deactivated, reactivated or otherwise
changed, the organisation suspended or reinstated, the professional's name or number corrected
(by hand or by import), a grant's *geautoriseerd tot* moved — and from the calendar: a grant's
*geautoriseerd tot* date passed, a period begun or ended (the start of the next Europe/Amsterdam
day, when the row changes by itself). Each source is one query of *distinct* pairs (one
professional's two grants ending the same day are one change) ordered by (moment, professional
id) and limited to a page; the page is the first ``limit`` pairs of their merge up to the last
pair read from the shortest source that was cut (beyond it that source is unread), and the
cursor is the last pair taken, so ties (many changes in one moment) never lose or repeat a pair
across pages.

What an entry says is read at the request's own moment through the report scope
(``access.policies``): the professional's current rows from the one row generator, or ``visible:
false`` when they are no longer in the report (a grant ended, was revoked, the contact was
deactivated, the organisation suspended): every way out of the report has a moment above, so an
HR system is always told. Only the moments before ``SETTLE`` ago are served: a writer's
transaction that took its time before committing is seen before the cursor passes it.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from peregister.access.models import AccessGrant
from peregister.access.policies import ReportScope
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, Registration
from peregister.reports.rows import ReportRow, rows_for_grants

SETTLE = dt.timedelta(seconds=30)
# The cursor before every change.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

Position = tuple[dt.datetime, int]  # (moment, professional id)


@dataclass
class Change:
    professional_id: int
    changed_at: dt.datetime
    code: str = ""
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def visible(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True)
class ChangesPage:
    changes: list[Change]
    cursor: Position  # where the next page starts (the given one when nothing was new)
    has_more: bool


def _after(moment_field: str, pid_field: str, after: Position) -> Q:
    moment, pid = after
    return Q(**{f"{moment_field}__gt": moment}) | Q(
        **{moment_field: moment, f"{pid_field}__gt": pid}
    )


def _stored(
    queryset: QuerySet[Any],
    moment_field: str,
    pid_field: str,
    after: Position,
    until: dt.datetime,
    limit: int,
) -> list[Position]:
    found = (
        queryset.filter(_after(moment_field, pid_field, after), **{f"{moment_field}__lte": until})
        .order_by(moment_field, pid_field)
        .values_list(moment_field, pid_field)
        .distinct()[:limit]
    )
    return list(found)


def _calendar(
    queryset: QuerySet[Any],
    day_field: str,
    shift: int,
    pid_field: str,
    after: Position,
    until: dt.datetime,
    limit: int,
) -> list[Position]:
    """Changes at the start of ``day_field + shift`` days (Europe/Amsterdam).

    A day's start is after ``after``'s moment from the next local day on; it equals it only
    when that moment is itself a day's start (then the professional id decides)."""
    moment, pid = after
    first_day = clock.local_date(moment)
    beyond = Q(**{f"{day_field}__gte": first_day + dt.timedelta(days=1 - shift)})
    if clock.start_of_day(first_day) == moment:
        beyond |= Q(**{day_field: first_day - dt.timedelta(days=shift), f"{pid_field}__gt": pid})
    last_day = clock.local_date(until) - dt.timedelta(days=shift)
    found = (
        queryset.filter(beyond, **{f"{day_field}__lte": last_day})
        .order_by(day_field, pid_field)
        .values_list(day_field, pid_field)
        .distinct()[:limit]
    )
    return [
        (clock.start_of_day(day + dt.timedelta(days=shift)).astimezone(dt.UTC), pid)
        for day, pid in found
    ]


# What the register records when something the list shows changes, or when a grant stops (or
# starts again) applying to the organisation without the grant itself changing. Every write
# goes through a service that records its event in the same transaction (the house rule), so
# the events are where the feed learns of it; the list's own rows decide what it then says.
CONTACT_ACTIONS = (  # a granted contact deactivated or reactivated, renamed, its role answered
    AuditEvent.Action.CONTACT_CHANGED,
    AuditEvent.Action.ROLE_ACCEPTED,
    AuditEvent.Action.ROLE_DECLINED,
)
ORGANISATION_ACTIONS = (  # every grant of the organisation stops, or applies again
    AuditEvent.Action.ORGANISATION_SUSPENDED,
    AuditEvent.Action.ORGANISATION_REINSTATED,
)
PROFESSIONAL_ACTIONS = (  # the professional's name or number corrected, by hand or by import
    AuditEvent.Action.PROFESSIONAL_CHANGED,
    AuditEvent.Action.PROFESSIONALS_IMPORTED,
)


def _event_sources(
    scope: ReportScope,
    history: QuerySet[AccessGrant],
    after: Position,
    until: dt.datetime,
    limit: int,
) -> list[list[Position]]:
    """Changes recorded as audit events, per event the professionals of the organisation's
    grants (in any state) it concerns."""
    links = AuditEvent.professionals.through.objects.filter(
        auditevent__at__gte=after[0], professional_id__in=history.values("professional_id")
    )
    professional_links = links.filter(auditevent__action__in=PROFESSIONAL_ACTIONS)
    # A grant's *geautoriseerd tot* moved (a grant given or revoked has its own moment).
    grant_links = links.filter(
        auditevent__action=AuditEvent.Action.GRANT_CHANGED,
        auditevent__contact__organisation_id=scope.organisation.pk,
    )
    pid = "professional_id"
    return [
        _contact_changes(scope, history, after, until, limit),
        _stored(professional_links, "auditevent__at", pid, after, until, limit),
        _stored(grant_links, "auditevent__at", pid, after, until, limit),
    ]


def _contact_changes(
    scope: ReportScope,
    history: QuerySet[AccessGrant],
    after: Position,
    until: dt.datetime,
    limit: int,
) -> list[Position]:
    """A granted contact's change, or the organisation's suspension or reinstatement: every
    professional who granted that contact (or the organisation) at the event's moment.

    Such events are the beheerder's and the register's rare acts, so all of them in the window
    are read (one query; a second for their grants, only when there are any) and the positions
    built here: a limit on events could cut the positions of one moment in two."""
    organisation = scope.organisation.pk
    events = list(
        AuditEvent.objects.filter(at__gte=after[0], at__lte=until)
        .filter(
            Q(action__in=CONTACT_ACTIONS, contact__organisation_id=organisation)
            | Q(action__in=ORGANISATION_ACTIONS, organisation_id=organisation)
        )
        .values_list("at", "contact_id", "action")
    )
    if not events:
        return []
    whole = any(action in ORGANISATION_ACTIONS for _, _, action in events)
    contacts = {contact for _, contact, action in events if action in CONTACT_ACTIONS}
    grants = history if whole else history.filter(contact_id__in=contacts)
    granted: dict[int, set[int]] = {}
    everyone: set[int] = set()
    for contact_id, professional_id in grants.values_list("contact_id", "professional_id"):
        granted.setdefault(contact_id, set()).add(professional_id)
        everyone.add(professional_id)
    positions = {
        (moment, professional_id)
        for moment, contact_id, action in events
        for professional_id in (
            everyone if action in ORGANISATION_ACTIONS else granted.get(contact_id, set())
        )
        if (moment, professional_id) > after
    }
    return sorted(positions)[:limit]


def _sources(
    scope: ReportScope, after: Position, until: dt.datetime, limit: int
) -> list[list[Position]]:
    history = scope.grant_history()
    included = scope.included().values("pk")
    periods = PePeriod.objects.filter(registration__professional__in=included)
    registrations = Registration.objects.filter(professional__in=included)
    return [
        *_event_sources(scope, history, after, until, limit),
        _stored(history, "granted_at", "professional_id", after, until, limit),
        _stored(history, "revoked_at", "professional_id", after, until, limit),
        _calendar(history, "valid_until", 1, "professional_id", after, until, limit),
        _stored(
            periods, "figures_changed_at", "registration__professional_id", after, until, limit
        ),
        _calendar(periods, "start", 0, "registration__professional_id", after, until, limit),
        _calendar(periods, "end", 1, "registration__professional_id", after, until, limit),
        _stored(registrations, "status_changed_at", "professional_id", after, until, limit),
    ]


def _first(streams: list[list[Position]], after: Position, limit: int) -> Iterator[Position]:
    """The first ``limit`` distinct positions after ``after`` of the sorted streams (each
    distinct, and ``limit`` long when cut), never beyond the last position of a cut stream:
    what that source holds beyond it was not read, so a later position of another source
    taken here would move the cursor past it."""
    horizon = min((stream[-1] for stream in streams if len(stream) >= limit), default=None)
    merged = (position for position, _ in itertools.groupby(heapq.merge(*streams)))
    wanted = (p for p in merged if p > after and (horizon is None or p <= horizon))
    return itertools.islice(wanted, limit)


def positions(scope: ReportScope, start: Position, limit: int) -> tuple[list[Position], bool]:
    """The first ``limit`` (moment, professional) positions after ``start``, and whether
    there are more."""
    until = scope.at - SETTLE
    streams = _sources(scope, start, until, limit + 1)
    taken = list(_first(streams, start, limit + 1))
    # A source cut at the limit may hold more beyond what the merge kept.
    has_more = len(taken) > limit or any(len(stream) > limit for stream in streams)
    return taken[:limit], has_more


def changes_page(scope: ReportScope, after: Position | None, limit: int) -> ChangesPage:
    """The changes after ``after`` (from the start when None), ``limit`` at most."""
    start = after or (EPOCH, 0)
    taken, has_more = positions(scope, start, limit)
    # One entry per professional: their latest moment on the page (the rows are current).
    latest: dict[int, dt.datetime] = {}
    for moment, pid in taken:
        latest[pid] = moment
    changes = {pid: Change(pid, moment) for pid, moment in latest.items()}
    grants = scope.grants.filter(professional_id__in=list(changes))
    for row in rows_for_grants(grants, scope.today):
        change = changes[row.professional_id]
        change.rows.append(row)
        change.code = row.professional_code
    hidden = [pid for pid, change in changes.items() if not change.rows]
    if hidden:
        for pid, code in Professional.objects.filter(pk__in=hidden).values_list("pk", "code"):
            changes[pid].code = str(code)
    return ChangesPage(
        changes=list(changes.values()),
        cursor=taken[-1] if taken else start,
        has_more=has_more,
    )

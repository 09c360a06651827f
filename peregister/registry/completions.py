"""Completions: the one place that writes ``Completion`` rows (the demo loader aside).

Presentie registreren checks an attendance list against the register, then applies it; an
approved *eigen activiteit* becomes a completion through ``add_completion``. Keeping every write
here means whatever must follow a new completion is maintained in one place: the periods'
stored points (``registry/figures.count_completions``, in the same transaction).

The check is run twice: once to show staff every line, and again inside the transaction that
applies the list, because the page's data comes back from the browser and the register may have
changed in between. Only lines that are valid at that moment are applied, all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length, Lower
from django.utils.translation import gettext_lazy as _

from peregister.accounts.actors import require_provider, require_staff
from peregister.accounts.roles import is_register_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, ratelimit
from peregister.core.numbers import ascii_digits
from peregister.core.refusals import Refused
from peregister.registry import figures
from peregister.registry.attendance import MAX_NUMBER_LENGTH, Entry, Problem
from peregister.registry.models import (
    Completion,
    LearningActivity,
    Professional,
    Registration,
    Session,
    full_name,
    short_name,
)


class LineStatus(models.TextChoices):
    OK = "ok", _("gevonden")
    INVALID = "invalid", _("onleesbare regel")
    DUPLICATE = "duplicate", _("dubbel in de lijst")
    FUTURE_DATE = "future_date", _("datum ligt in de toekomst")
    NOT_RECOGNISED = "not_recognised", _("activiteit niet erkend op deze datum")
    UNKNOWN = "unknown", _("onbekend registratienummer")
    # Numbers are per register: a number that more than one register uses needs the register.
    AMBIGUOUS = "ambiguous", _("nummer in meer registers: vermeld het register")
    LEADING_ZEROS = "leading_zeros", _("voorloopnullen weggevallen?")
    ALREADY_REGISTERED = "already_registered", _("al geregistreerd voor deze activiteit en datum")
    # Only when registering for a session (providers, the API):
    OUTSIDE_SESSION = "outside_session", _("datum valt buiten de uitvoering")
    NOT_ACTIVE = "not_active", _("registratie niet actief")
    # The session was cancelled while the list was on its way (``register_targets``).
    SESSION_GONE = "session_gone", _("uitvoering bestaat niet meer")


PROBLEM_MESSAGES = {
    Problem.TOO_LONG: _("Het registratienummer is te lang (maximaal 20 tekens)."),
    Problem.INVALID_DATE: _("De datum is geen geldige datum (gebruik dd-mm-jjjj)."),
    Problem.MISSING_VALUE: _("Registratienummer of datum ontbreekt op deze regel."),
}


@dataclass(frozen=True, slots=True)
class Participant:
    """What the check step knows of a professional: enough to name them on the list, nothing
    of their dossier. Plain values, not a model instance: a 1,000-line list makes a thousand
    of these, and model instances cost time and, kept alive, full garbage collections."""

    pk: int
    registration_number: str
    initials: str
    name_prefix: str
    last_name: str

    @property
    def full_name(self) -> str:
        return full_name(self.initials, self.name_prefix, self.last_name)

    @property
    def short_name(self) -> str:
        return short_name(self.initials, self.name_prefix, self.last_name)


@dataclass(frozen=True, slots=True)
class CheckedLine:
    entry: Entry
    status: LineStatus
    professional: Participant | None = None
    # For LEADING_ZEROS: the existing number(s) it may have been; shown, never applied.
    similar: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == LineStatus.OK

    @property
    def problem_message(self) -> str:
        return str(PROBLEM_MESSAGES[self.entry.problem]) if self.entry.problem else ""


# A holder as the lookup keeps them: (pk, number, initials, name prefix, last name). A plain
# tuple of strings and ints, which the garbage collector stops following once it has seen it.
HolderRow = tuple[int, str, str, str, str]


@dataclass(frozen=True)
class AttendanceCheck:
    """The checked list, kept compact (a status and a holder row per entry): the API reads
    only the statuses; the pages read ``lines``, made when first asked for."""

    activity: LearningActivity
    entries: Sequence[Entry]
    statuses: list[LineStatus]
    holders: list[HolderRow | None]
    similar: dict[str, list[str]]
    counts: dict[str, int] = field(default_factory=dict)
    session: Session | None = None

    @cached_property
    def lines(self) -> list[CheckedLine]:
        return [
            CheckedLine(
                entry,
                status,
                Participant(*holder) if holder is not None else None,
                tuple(sorted(self.similar.get(entry.number, ()))),
            )
            for entry, status, holder in zip(self.entries, self.statuses, self.holders, strict=True)
        ]

    @property
    def valid_lines(self) -> list[CheckedLine]:
        return [line for line in self.lines if line.ok]

    @property
    def invalid_lines(self) -> list[CheckedLine]:
        return [line for line in self.lines if not line.ok]

    def valid(self) -> Iterator[tuple[Entry, int]]:
        """Each valid line's entry and professional (no objects made for the lines)."""
        for entry, status, holder in zip(self.entries, self.statuses, self.holders, strict=True):
            if status == LineStatus.OK and holder is not None:
                yield entry, holder[0]


@dataclass(frozen=True)
class Target:
    """One list to check: the lines for an activity, for one of its sessions or (staff) for
    any day of its recognition."""

    activity: LearningActivity
    entries: Sequence[Entry]
    session: Session | None = None


# A line whose number more than one register uses, without the register to tell them apart.
AMBIGUOUS = object()


@dataclass
class _Lookup:
    """What the database says about every number of every list checked at once."""

    holders: dict[str, tuple[HolderRow, ...]]
    registers: dict[int, tuple[str, str]]
    active: set[int]
    # (professional, activity, day) of the completions already registered that may matter.
    registered: set[tuple[int, int, dt.date]]
    similar: dict[str, list[str]]


def _holder(
    entry: Entry, holders: dict[str, tuple[HolderRow, ...]], registers: dict[int, tuple[str, str]]
) -> HolderRow | object | None:
    """Whose number the line gives: the one holder, or the holder in the line's register (code
    or name, lower case in ``registers`` by professional); ``AMBIGUOUS`` when several registers
    use it and the line does not say which."""
    candidates = holders.get(entry.number.lower(), ())
    if entry.register:
        candidates = tuple(p for p in candidates if entry.register in registers[p[0]])
    if len(candidates) > 1:
        return AMBIGUOUS
    return candidates[0] if candidates else None


def zero_padded_candidates(numbers: Sequence[str]) -> dict[str, str]:
    """Zero-padded variants of all-digit numbers, mapped back to the number as given.

    Only widths that registration numbers really have are tried, which keeps the lookup small
    (databases limit the number of query parameters).
    """
    digits = [number for number in numbers if ascii_digits(number)]
    if not digits:
        return {}
    widths = set(
        Professional.objects.annotate(width=Length("registration_number"))
        .values_list("width", flat=True)
        .distinct()
    )
    candidates: dict[str, str] = {}
    for number in digits:
        for width in widths:
            if len(number) < width <= MAX_NUMBER_LENGTH:
                candidates[number.zfill(width)] = number
    return candidates


def _window(targets: Sequence[Target]) -> models.Q:
    """The days on which a completion of the targets' activities can make a line a repeat: a
    session's dates, or (staff) the list's days."""
    days: set[dt.date] = set()
    for target in targets:
        if target.session is not None:
            days.update((target.session.starts_on, target.session.ends_on))
        else:
            days.update(entry.day for entry in target.entries if entry.day is not None)
    if not days:
        return models.Q(pk__in=[])
    if all(target.session is None for target in targets):
        return models.Q(completed_on__in=days)
    return models.Q(completed_on__range=(min(days), max(days)))


def _lookup(targets: Sequence[Target]) -> _Lookup:
    """One query for every number of every list (whatever the number of sessions or
    activities), one more only when some were registered before, two for zero-padding."""
    numbers = {
        entry.number for target in targets for entry in target.entries if entry.problem is None
    }
    activity_ids = {target.activity.pk for target in targets}
    window = _window(targets)
    # Without regard to case, and per register: one number may be someone in each register.
    # One query answers for every holder whether a registration is active and whether
    # anything of these activities is registered in the lists' window: a 1,000-number list is
    # sent to the database once, not three times (on PostgreSQL each long IN list costs as
    # much as the rest of the check). Only what the check step shows, as plain values.
    holders: dict[str, tuple[HolderRow, ...]] = {}
    registers: dict[int, tuple[str, str]] = {}
    active: set[int] = set()
    flagged: list[int] = []
    rows = (
        Professional.objects.annotate(key=Lower("registration_number"))
        .filter(key__in={number.lower() for number in numbers})
        .annotate(
            has_active=models.Exists(
                Registration.objects.filter(
                    professional_id=models.OuterRef("pk"), status=Registration.Status.ACTIVE
                )
            ),
            has_registered=models.Exists(
                Completion.objects.filter(
                    window, professional_id=models.OuterRef("pk"), activity_id__in=activity_ids
                )
            ),
        )
        .values_list(
            "pk",
            "registration_number",
            "initials",
            "name_prefix",
            "last_name",
            "register__code",
            "register__name",
            "has_active",
            "has_registered",
        )
    )
    for pk, number, initials, prefix, last, code, name, has_active, has_registered in rows:
        key = number.lower()
        holders[key] = (*holders.get(key, ()), (pk, number, initials, prefix, last))
        registers[pk] = (code.lower(), name.lower())
        if has_active:
            active.add(pk)
        if has_registered:
            flagged.append(pk)
    # Which activity and day exactly: only for the few already registered (a retried list:
    # all of them).
    registered: set[tuple[int, int, dt.date]] = set()
    if flagged:
        registered = set(
            Completion.objects.filter(
                window, activity_id__in=activity_ids, professional_id__in=flagged
            ).values_list("professional_id", "activity_id", "completed_on")
        )
    unknown = [number for number in numbers if number.lower() not in holders]
    padded = zero_padded_candidates(unknown)
    similar: dict[str, list[str]] = {}
    for existing in Professional.objects.filter(registration_number__in=padded).values_list(
        "registration_number", flat=True
    ):
        similar.setdefault(padded[existing], []).append(existing)
    return _Lookup(holders, registers, active, registered, similar)


def _check_lines(target: Target, found: _Lookup, today: dt.date) -> AttendanceCheck:
    """Every line of one list with its status, from what ``_lookup`` found (no queries).

    With a ``session`` (a provider registering for its own run of the activity, or the API)
    a date must fall within it, the professional needs an active registration, and one
    attendance counts once per session: a second day of the same session is a duplicate.
    """
    activity, session = target.activity, target.session
    if session is not None:
        # A session's attendance counts once, whichever of its days: already registered.
        registered_for_session = {
            pk
            for pk, activity_id, day in found.registered
            if activity_id == activity.pk and session.covers(day)
        }
    else:
        registered_days = {
            (pk, day) for pk, activity_id, day in found.registered if activity_id == activity.pk
        }
    seen: set[tuple[int | str, dt.date | None]] = set()
    statuses: list[LineStatus] = []
    holders: list[HolderRow | None] = []
    counts: dict[str, int] = {}
    for entry in target.entries:
        held = _holder(entry, found.holders, found.registers)
        holder = held if isinstance(held, tuple) else None
        who = holder[0] if holder else f"{entry.number.lower()}@{entry.register}"
        # With a session, a person counts once in the list whatever the day (one attendance
        # of a multi-day session gives the activity's points once).
        key = (who, None if session is not None else entry.day)
        if entry.problem is not None or entry.day is None:
            status = LineStatus.INVALID
        elif session is None and key in seen:
            status = LineStatus.DUPLICATE
        elif entry.day > today:
            status = LineStatus.FUTURE_DATE
        elif not activity.is_recognised_on(entry.day):
            status = LineStatus.NOT_RECOGNISED
        elif session is not None and not session.covers(entry.day):
            status = LineStatus.OUTSIDE_SESSION
        elif key in seen:  # with a session: once its dates are known to be right
            status = LineStatus.DUPLICATE
        elif held is AMBIGUOUS:
            status = LineStatus.AMBIGUOUS
        elif holder is None:
            status = (
                LineStatus.LEADING_ZEROS if entry.number in found.similar else LineStatus.UNKNOWN
            )
        elif (
            holder[0] in registered_for_session
            if session is not None
            else (holder[0], entry.day) in registered_days
        ):
            status = LineStatus.ALREADY_REGISTERED
        elif session is not None and holder[0] not in found.active:
            status = LineStatus.NOT_ACTIVE
        else:
            status = LineStatus.OK
        if session is None or status == LineStatus.OK:
            seen.add(key)
        statuses.append(status)
        holders.append(holder)
        counts[status] = counts.get(status, 0) + 1
    return AttendanceCheck(
        activity=activity,
        entries=target.entries,
        statuses=statuses,
        holders=holders,
        similar=found.similar,
        counts=counts,
        session=session,
    )


def check_targets(targets: Sequence[Target], today: dt.date) -> list[AttendanceCheck]:
    """Every list checked, in a constant number of queries (at most four) however many
    sessions and activities the lists name."""
    found = _lookup(targets)
    return [_check_lines(target, found, today) for target in targets]


def check_attendance(
    *,
    activity: LearningActivity,
    entries: Sequence[Entry],
    today: dt.date,
    session: Session | None = None,
) -> AttendanceCheck:
    """Every line with its status, in a constant number of queries (at most four)."""
    return check_targets([Target(activity, entries, session)], today)[0]


def add_completion(
    *,
    actor: Any,
    professional_id: int,
    title: str,
    provider: str,
    kind: str,
    points: int,
    completed_on: dt.date,
    source: Completion.Source,
    activity: LearningActivity | None = None,
) -> Completion:
    """One completion, written inside the caller's transaction (which records the audit event).

    The caller's decision (e.g. approving an *eigen activiteit*) and the completion commit or
    roll back together.
    """
    require_staff(actor)
    completion = Completion.objects.create(
        professional_id=professional_id,
        activity=activity,
        title=title,
        provider=provider,
        kind=kind,
        points=points,
        completed_on=completed_on,
        source=source,
        registered_by=actor,
    )
    figures.count_completions([(professional_id, completed_on, points)])
    return completion


# The check step tells a provider whether a number is someone's, with initials and whether the
# registration is active: a lookup the participant list needs, not a search. A user checks at
# most this many lists an hour (a list holds up to 1,000 numbers); each check that names
# someone is recorded for them (``attendance.checked``, in *Wie bekeek mijn dossier*).
PROVIDER_CHECKS_PER_HOUR = 30
# Statuses whose line tells the provider something about a professional.
NAMING = frozenset({LineStatus.OK, LineStatus.ALREADY_REGISTERED, LineStatus.NOT_ACTIVE})


def check_for_provider(
    *, actor: Any, session: Session, entries: Sequence[Entry]
) -> AttendanceCheck:
    """A provider's check step for its own ``session``: limited per user, and recorded for
    the professionals it names (their ids only: nothing of the list is kept)."""
    target = Target(session.activity, entries, session)
    contact = _require_may_register(actor, [target])
    if contact is not None and not ratelimit.hit(
        "provider-attendance-check", str(actor.pk), limit=PROVIDER_CHECKS_PER_HOUR, per_seconds=3600
    ):
        raise Refused(
            _(
                "Te veel lijsten gecontroleerd in het afgelopen uur (hoogstens %(count)s). "
                "Probeer het over een uur opnieuw."
            )
            % {"count": PROVIDER_CHECKS_PER_HOUR},
            code="rate_limited",
        )
    check = check_targets([target], clock.today())[0]
    if contact is not None:
        with transaction.atomic():
            _record_named(actor, contact, [check], registering=False)
    return check


def _record_named(
    actor: Any, contact: Any, checks: Sequence[AttendanceCheck], *, registering: bool
) -> None:
    """An ``attendance.checked`` event for the professionals the checks named to a provider;
    when ``registering``, beyond the valid lines (linked to the registration's own event)."""
    naming = NAMING - {LineStatus.OK} if registering else NAMING
    if not any(check.counts.get(status) for check in checks for status in naming):
        return  # nobody named beyond what is linked already (a clean batch: no work at all)
    named = {
        holder[0]
        for check in checks
        for status, holder in zip(check.statuses, check.holders, strict=True)
        if holder is not None and status in naming
    }
    if not named:
        return
    record(
        AuditEvent.Action.ATTENDANCE_CHECKED,
        actor=actor,
        organisation=contact.organisation,
        contact=contact,
        professionals=sorted(named),
        sessions=sorted({str(check.session.code) for check in checks if check.session}),
        lines=sum(len(check.entries) for check in checks),
        named=len(named),
    )


def _require_may_register(actor: Any, targets: Sequence[Target]) -> Any:
    """Staff register for any activity; a provider's user only for sessions of activities its
    own provider offers. Returns the provider's contact (None for staff)."""
    for target in targets:
        if target.session is not None and target.session.activity_id != target.activity.pk:
            raise Refused(_("Deze uitvoering hoort niet bij deze leeractiviteit."))
    if any(target.session is None for target in targets) or is_register_staff(actor):
        require_staff(actor)
        return None
    contact = require_provider(actor)
    if any(target.activity.offered_by_id != contact.organisation_id for target in targets):
        raise Refused(_("Deze activiteit is niet van uw organisatie."))
    return contact


def _written_professionals(
    activity_ids: list[int], actor: Any, written: list[Completion]
) -> models.QuerySet[Any] | None:
    """The professional ids of the completions just written, as a query: the audit link and
    the period figures select them in the database instead of receiving 1,000 ids each.

    Exact because every completion of a catalogue activity is written here while holding the
    activity's row lock: rows of these activities by this actor with keys in the range just
    returned are this call's rows. None when the database returned no keys."""
    ids = [completion.pk for completion in written]
    if not all(ids):
        return None
    return Completion.objects.filter(
        activity_id__in=activity_ids, registered_by=actor, pk__range=(min(ids), max(ids))
    ).values("professional_id")


def register_completions(
    *,
    actor: Any,
    activity: LearningActivity,
    entries: Sequence[Entry],
    source: Completion.Source = Completion.Source.ATTENDANCE,
    session: Session | None = None,
    audit: dict[str, Any] | None = None,
) -> AttendanceCheck:
    """Re-check ``entries`` and record a completion for every valid line, atomically.

    ``session``: a provider's own session (the provider path, pages and API); ``audit``:
    extra identifiers for the audit event. See ``register_targets``."""
    check = register_targets(
        actor=actor, targets=[Target(activity, entries, session)], source=source, audit=audit
    )[0]
    if check.counts.get(LineStatus.SESSION_GONE):
        raise Refused(SESSION_GONE, conflict=True, code="session_gone")
    return check


SESSION_GONE = _(
    "Deze uitvoering is intussen geannuleerd en bestaat niet meer. Er is niets geregistreerd."
)


def _sessions_now(
    targets: Sequence[Target], locked: dict[int, LearningActivity]
) -> dict[int, Session]:
    """The targets' sessions as they are now, read under their activities' locks (one query):
    ``cancel_session`` and ``change_session`` take the same lock, so what the caller loaded
    before may be cancelled or moved, but these rows stay as read until the commit."""
    ids = [target.session.pk for target in targets if target.session is not None]
    if not ids:
        return {}
    sessions = {session.pk: session for session in Session.objects.filter(pk__in=ids)}
    for session in sessions.values():
        session.activity = locked[session.activity_id]
    return sessions


def _gone(target: Target) -> AttendanceCheck:
    """A list for a session cancelled meanwhile: every line ``SESSION_GONE``, nobody named."""
    count = len(target.entries)
    return AttendanceCheck(
        activity=target.activity,
        entries=target.entries,
        statuses=[LineStatus.SESSION_GONE] * count,
        holders=[None] * count,
        similar={},
        counts={LineStatus.SESSION_GONE: count} if count else {},
        session=target.session,
    )


# The order ``register_targets`` gives a new completion's values in.
COMPLETION_FIELDS = (
    "id",
    "professional_id",
    "activity_id",
    "title",
    "provider",
    "kind",
    "points",
    "completed_on",
    "source",
    "registered_at",
    "registered_by_id",
)


@cache
def _check_completion_fields() -> None:
    """A field added to or moved in ``Completion`` must not shift values into the wrong
    column: refuse to write until ``COMPLETION_FIELDS`` and the rows above follow."""
    actual = tuple(f.attname for f in Completion._meta.concrete_fields)
    if actual != COMPLETION_FIELDS:
        raise RuntimeError(f"Completion's fields changed: {actual}; update register_targets.")


def register_targets(
    *,
    actor: Any,
    targets: Sequence[Target],
    source: Completion.Source = Completion.Source.ATTENDANCE,
    audit: dict[str, Any] | None = None,
) -> list[AttendanceCheck]:
    """Re-check every list and record a completion for every valid line, atomically, in a
    constant number of queries however many sessions and activities the lists name (an API
    batch may name a thousand).

    The completion copies title, provider, kind and points from the activity, so later catalogue
    edits do not rewrite history. Returns the checks as applied (valid lines were registered).
    Someone registering part of the same list at the same moment is a conflict: nothing is
    applied. One audit event for the whole call.
    """
    contact = _require_may_register(actor, targets)
    activity_ids = sorted({target.activity.pk for target in targets})
    try:
        with transaction.atomic():
            # Two writers registering for the same activities queue up here (PostgreSQL), in
            # ascending order so two calls naming them crosswise cannot deadlock; SQLite
            # serialises writers already. The unique constraint is the last guard.
            locked = {
                activity.pk: activity
                for activity in LearningActivity.objects.select_for_update()
                .filter(pk__in=activity_ids)
                .order_by("pk")
            }
            today = clock.today()
            # Checked against the sessions as they are now, not the caller's copies: a session
            # cancelled meanwhile registers nothing, one moved is checked at its new dates.
            sessions = _sessions_now(targets, locked)
            current = [
                Target(
                    locked[t.activity.pk],
                    t.entries,
                    sessions.get(t.session.pk) if t.session is not None else None,
                )
                for t in targets
            ]
            gone = [
                t.session is not None and now.session is None
                for t, now in zip(targets, current, strict=True)
            ]
            live = [now for now, cancelled in zip(current, gone, strict=True) if not cancelled]
            checked = iter(check_targets(live, today) if live else [])
            checks = [
                _gone(t) if cancelled else next(checked)
                for t, cancelled in zip(targets, gone, strict=True)
            ]
            # Keys, not instances, and positional values in the model's field order (Django's
            # own fast path, as for rows read from the database): keywords cost twice as much
            # for a thousand rows. ``COMPLETION_FIELDS`` is checked against the model (the type
            # stubs read positional values as the related fields' instances, hence the ignore).
            _check_completion_fields()
            new = [
                Completion(  # type: ignore[misc]
                    None,  # id
                    professional_id,
                    check.activity.pk,
                    check.activity.title,
                    check.activity.provider,
                    check.activity.kind,
                    check.activity.points,
                    entry.day or today,
                    source,
                    None,  # registered_at: set on insert (auto_now_add)
                    actor.pk,
                )
                for check in checks
                for entry, professional_id in check.valid()
            ]
            if contact is not None:
                # Lines that named someone without registering them (not active, already
                # registered) are a lookup too; the registered ones are linked below.
                _record_named(actor, contact, checks, registering=True)
            if not new:
                return checks
            written = Completion.objects.bulk_create(new)
            selected = _written_professionals(activity_ids, actor, written)
            figures.count_completions(
                (
                    (completion.professional_id, completion.completed_on, completion.points)
                    for completion in written
                ),
                professionals=selected,
            )
            activity_codes = sorted({str(check.activity.code) for check in checks})
            session_codes = sorted(
                {
                    str(check.session.code)
                    for check in checks
                    if check.session is not None and not check.counts.get(LineStatus.SESSION_GONE)
                }
            )
            lines = sum(len(check.entries) for check in checks)
            record(
                AuditEvent.Action.COMPLETIONS_REGISTERED,
                actor=actor,
                organisation=contact.organisation if contact is not None else None,
                contact=contact,
                professionals=(
                    selected
                    if selected is not None
                    else [completion.professional_id for completion in written]
                ),
                **_codes("activity", "activities", activity_codes),
                **_codes("session", "sessions", session_codes),
                source=str(source),
                registered=len(written),
                skipped=lines - len(written),
                **(audit or {}),
            )
            return checks
    except IntegrityError as exc:
        raise Refused(
            _(
                "Tegelijkertijd is een deel van deze lijst door iemand anders geregistreerd. "
                "Er is niets opgeslagen; controleer de lijst opnieuw."
            ),
            conflict=True,
        ) from exc


def _codes(name: str, plural: str, codes: list[str]) -> dict[str, Any]:
    """One code under ``name`` (as a single list always had it); several under ``plural``."""
    if not codes:
        return {}
    return {name: codes[0]} if len(codes) == 1 else {plural: codes}

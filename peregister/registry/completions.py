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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length, Lower
from django.utils.translation import gettext_lazy as _

from peregister.accounts.actors import require_provider, require_staff
from peregister.accounts.roles import is_register_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
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


PROBLEM_MESSAGES = {
    Problem.TOO_LONG: _("Het registratienummer is te lang (maximaal 20 tekens)."),
    Problem.INVALID_DATE: _("De datum is geen geldige datum (gebruik dd-mm-jjjj)."),
    Problem.MISSING_VALUE: _("Registratienummer of datum ontbreekt op deze regel."),
}


@dataclass(frozen=True)
class CheckedLine:
    entry: Entry
    status: LineStatus
    professional: Professional | None = None
    # For LEADING_ZEROS: the existing number(s) it may have been; shown, never applied.
    similar: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == LineStatus.OK

    @property
    def problem_message(self) -> str:
        return str(PROBLEM_MESSAGES[self.entry.problem]) if self.entry.problem else ""


@dataclass(frozen=True)
class AttendanceCheck:
    activity: LearningActivity
    lines: list[CheckedLine]
    counts: dict[str, int] = field(default_factory=dict)
    session: Session | None = None

    @property
    def valid_lines(self) -> list[CheckedLine]:
        return [line for line in self.lines if line.ok]

    @property
    def invalid_lines(self) -> list[CheckedLine]:
        return [line for line in self.lines if not line.ok]


# A line whose number more than one register uses, without the register to tell them apart.
AMBIGUOUS = object()


def _holder(
    entry: Entry, holders: dict[str, list[Professional]], registers: dict[int, tuple[str, str]]
) -> Professional | object | None:
    """Whose number the line gives: the one holder, or the holder in the line's register (code
    or name, lower case in ``registers`` by professional); ``AMBIGUOUS`` when several registers
    use it and the line does not say which."""
    candidates = holders.get(entry.number.lower(), [])
    if entry.register:
        candidates = [p for p in candidates if entry.register in registers[p.pk]]
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


def check_attendance(
    *,
    activity: LearningActivity,
    entries: Sequence[Entry],
    today: dt.date,
    session: Session | None = None,
) -> AttendanceCheck:
    """Every line with its status, in a constant number of queries (at most four).

    With a ``session`` (a provider registering for its own run of the activity, or the API)
    a date must fall within it, the professional needs an active registration, and one
    attendance counts once per session: a second day of the same session is a duplicate.
    """
    numbers = {entry.number for entry in entries if entry.problem is None}
    days = {entry.day for entry in entries if entry.day is not None}
    window = (
        models.Q(completed_on__range=(session.starts_on, session.ends_on))
        if session is not None
        else models.Q(completed_on__in=days)
    )
    # Without regard to case, and per register: one number may be someone in each register.
    # One query answers for every holder whether a registration is active and whether
    # anything of this activity is registered on one of the list's days: a 1,000-number list
    # is sent to the database once, not three times (on PostgreSQL each long IN list costs as
    # much as the rest of the check).
    # Only what the check step shows (number, name or initials, register): a thousand full
    # rows cost more than the rest of the check.
    holders: dict[str, list[Professional]] = {}
    registers: dict[int, tuple[str, str]] = {}
    active: set[int] = set()
    flagged: list[int] = []
    for p in (
        Professional.objects.annotate(key=Lower("registration_number"))
        .filter(key__in={number.lower() for number in numbers})
        .only("pk", "registration_number", "initials", "name_prefix", "last_name")
        .annotate(
            # The register's code and name as columns, not a related instance per row: a
            # thousand Register objects cost time and, kept alive, a full garbage collection.
            register_code=models.F("register__code"),
            register_name=models.F("register__name"),
            has_active=models.Exists(
                Registration.objects.filter(
                    professional_id=models.OuterRef("pk"), status=Registration.Status.ACTIVE
                )
            ),
            has_registered=models.Exists(
                Completion.objects.filter(
                    window, professional_id=models.OuterRef("pk"), activity=activity
                )
            ),
        )
    ):
        holders.setdefault(p.registration_number.lower(), []).append(p)
        registers[p.pk] = (p.register_code.lower(), p.register_name.lower())  # type: ignore[attr-defined]
        if p.has_active:
            active.add(p.pk)
        if p.has_registered:
            flagged.append(p.pk)
    found = {entry.position: _holder(entry, holders, registers) for entry in entries}
    # A session's attendance counts once, whichever of its days: already registered for it.
    registered_for_session = set(flagged) if session is not None else set()
    # Which day exactly: only for the few already registered (a retried list: all of them).
    registered: set[tuple[int, dt.date]] = set()
    if flagged and session is None:
        registered = set(
            Completion.objects.filter(
                activity=activity, professional_id__in=flagged, completed_on__in=days
            ).values_list("professional_id", "completed_on")
        )
    unknown = [number for number in numbers if number.lower() not in holders]
    padded = zero_padded_candidates(unknown)
    similar: dict[str, list[str]] = {}
    for existing in Professional.objects.filter(registration_number__in=padded).values_list(
        "registration_number", flat=True
    ):
        similar.setdefault(padded[existing], []).append(existing)

    seen: set[tuple[int | str, dt.date | None]] = set()
    lines: list[CheckedLine] = []
    for entry in entries:
        held = found[entry.position]
        professional = held if isinstance(held, Professional) else None
        who = professional.pk if professional else f"{entry.number.lower()}@{entry.register}"
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
        elif professional is None:
            status = LineStatus.LEADING_ZEROS if entry.number in similar else LineStatus.UNKNOWN
        elif (professional.pk, entry.day) in registered or professional.pk in (
            registered_for_session
        ):
            status = LineStatus.ALREADY_REGISTERED
        elif session is not None and professional.pk not in active:
            status = LineStatus.NOT_ACTIVE
        else:
            status = LineStatus.OK
        if session is None or status == LineStatus.OK:
            seen.add(key)
        lines.append(
            CheckedLine(
                entry=entry,
                status=status,
                professional=professional,
                similar=tuple(sorted(similar.get(entry.number, ()))),
            )
        )
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.status] = counts.get(line.status, 0) + 1
    return AttendanceCheck(activity=activity, lines=lines, counts=counts, session=session)


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


def _require_may_register(actor: Any, activity: LearningActivity, session: Session | None) -> Any:
    """Staff register for any activity; a provider's user only for a session of an activity
    its own provider offers. Returns the provider's contact (None for staff)."""
    if session is not None and session.activity_id != activity.pk:
        raise Refused(_("Deze uitvoering hoort niet bij deze leeractiviteit."))
    if session is None or is_register_staff(actor):
        require_staff(actor)
        return None
    contact = require_provider(actor)
    if activity.offered_by_id != contact.organisation_id:
        raise Refused(_("Deze activiteit is niet van uw organisatie."))
    return contact


def _written_professionals(
    activity: LearningActivity, actor: Any, written: list[Completion]
) -> models.QuerySet[Any] | None:
    """The professional ids of the completions just written, as a query: the audit link and
    the period figures select them in the database instead of receiving 1,000 ids each.

    Exact because every completion of a catalogue activity is written here while holding the
    activity's row lock: rows of this activity by this actor with keys in the range just
    returned are this call's rows. None when the database returned no keys."""
    ids = [completion.pk for completion in written]
    if not all(ids):
        return None
    return Completion.objects.filter(
        activity=activity, registered_by=actor, pk__range=(min(ids), max(ids))
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

    The completion copies title, provider, kind and points from the activity, so later catalogue
    edits do not rewrite history. Returns the check as applied (valid lines were registered).
    Someone registering part of the same list at the same moment is a conflict: nothing is
    applied. ``session``: a provider's own session (the provider path, pages and API);
    ``audit``: extra identifiers for the audit event (e.g. the API key and batch).
    """
    contact = _require_may_register(actor, activity, session)
    try:
        with transaction.atomic():
            # Two staff confirming lists for the same activity queue up here (PostgreSQL);
            # SQLite serialises writers already. The unique constraint is the last guard.
            locked = LearningActivity.objects.select_for_update().get(pk=activity.pk)
            today = clock.today()
            check = check_attendance(activity=locked, entries=entries, today=today, session=session)
            valid = check.valid_lines
            if not valid:
                return check
            # Keys, not instances: setting a related instance costs a descriptor call per
            # field and row, a third of a 1,000-row batch.
            written = Completion.objects.bulk_create(
                [
                    Completion(
                        professional_id=line.professional.pk,
                        activity_id=locked.pk,
                        title=locked.title,
                        provider=locked.provider,
                        kind=locked.kind,
                        points=locked.points,
                        completed_on=line.entry.day or today,
                        source=source,
                        registered_by_id=actor.pk,
                    )
                    for line in valid
                    if line.professional is not None  # always so for a valid line
                ]
            )
            selected = _written_professionals(locked, actor, written)
            figures.count_completions(
                (
                    (completion.professional_id, completion.completed_on, completion.points)
                    for completion in written
                ),
                professionals=selected,
            )
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
                activity=str(locked.code),
                source=str(source),
                registered=len(valid),
                skipped=len(check.lines) - len(valid),
                **({"session": str(session.code)} if session is not None else {}),
                **(audit or {}),
            )
            return check
    except IntegrityError as exc:
        raise Refused(
            _(
                "Tegelijkertijd is een deel van deze lijst door iemand anders geregistreerd. "
                "Er is niets opgeslagen; controleer de lijst opnieuw."
            ),
            conflict=True,
        ) from exc

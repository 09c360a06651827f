"""A register at scale, generated deterministically with bulk inserts.

Rows are written with ``executemany`` of plain INSERTs and explicit primary keys (no model
instances, no signals), in large chunks inside one transaction. Same seed and scale, same
data relative to the anchor day (the day of generation, kept in the marker table).

The well-known logins the measures use are in ``Handles``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from peregister.access.models import AccessGrant
from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.home.demo import FIRST_NAMES, LAST_NAMES
from peregister.organisations.models import Contact, Organisation
from peregister.registry import figures
from peregister.registry.models import (
    Completion,
    LearningActivity,
    PePeriod,
    Professional,
    Register,
    Registration,
    RenewalSubmission,
)
from peregister.registry.periods import period_end

GENERATOR_VERSION = 5
SEED = 20261129
MARKER_TABLE = "bench_marker"
CHUNK = 20_000


@dataclass(frozen=True)
class Scale:
    professionals: int = 100_000
    completions: int = 2_000_000
    activities: int = 200
    organisations: int = 1_000
    large_org_professionals: int = 20_000
    large_org_contacts: int = 30
    users_every: int = 100  # every n-th professional has a login
    small_org_grants: int = 10
    # Organisations between the small and the large one (issue 12: 1k, 5k next to 20k), so a
    # page's cost can be compared across organisation sizes.
    mid_org_professionals: tuple[int, ...] = (1_000, 5_000)
    # Every n-th professional also holds a registration in a second register.
    second_registration_every: int = 8
    # Audit events a year of use leaves per professional (dossier views, completions
    # registered, logins) and report downloads of the large organisation (weekly).
    audit_events_per_professional: int = 6
    large_org_downloads: int = 52


FULL = Scale()
# A tenth of the register, for developing on a machine shared with others (issue 12): the
# same shapes, a 2,000-grant large organisation.
SMALL = Scale(
    professionals=10_000,
    completions=200_000,
    activities=200,
    organisations=100,
    large_org_professionals=2_000,
    large_org_contacts=10,
    users_every=100,
    small_org_grants=10,
    mid_org_professionals=(100, 500),
    audit_events_per_professional=6,
    large_org_downloads=12,
)
TINY = Scale(
    professionals=50,
    completions=500,
    activities=20,
    organisations=10,
    large_org_professionals=20,
    large_org_contacts=4,
    users_every=5,
    small_org_grants=3,
    mid_org_professionals=(4, 8),
    second_registration_every=4,
    audit_events_per_professional=2,
    large_org_downloads=2,
)


class Handles:
    """Usernames the generator guarantees; the measures log in as these."""

    LARGE_ADMIN = "bench-large-admin"
    LARGE_DEPUTY = "bench-large-deputy"
    SMALL_ADMIN = "bench-small-admin"
    STAFF = "bench-staff"
    LARGE_ORG_ID = 1
    SMALL_ORG_ID = 2
    # The organisations of ``Scale.mid_org_professionals``, in that order, and their
    # beheerders.
    MID_ORG_IDS = (3, 4)
    MID_ADMINS = ("bench-mid1-admin", "bench-mid2-admin")


ACTIVITY_WORDS = [
    "Arbeidsrecht",
    "Inlenersbeloning",
    "Payroll",
    "AVG",
    "Ketenbepaling",
    "Matching",
    "Sociale zekerheid",
    "Arbo",
    "Gesprekstechniek",
    "CAO",
    "Onboarding",
    "Diversiteit",
    "Detachering",
    "Fasesysteem",
    "Loonadministratie",
]
ACTIVITY_FORMS = ["actueel", "in de praktijk", "voor gevorderden", "basis", "update"]
PROVIDERS = [
    "SEU Academie",
    "Flexleren",
    "ABU Kennis",
    "NBBU Opleidingen",
    "Backoffice Academie",
    "VCU Leren",
    "PE-app",
    "Inclusief Werven",
]
CITIES = ["Utrecht", "Rotterdam", "Amsterdam", "Groningen", "Eindhoven", "Zwolle", "Tilburg"]


@dataclass
class Counts:
    users: int = 0
    professionals: int = 0
    periods: int = 0
    completions: int = 0
    renewals: int = 0
    organisations: int = 0
    contacts: int = 0
    grants: int = 0
    audit_events: int = 0
    audit_links: int = 0


class _Writer:
    """Chunked ``executemany`` of INSERTs (``COPY`` on PostgreSQL) with explicit columns."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        ops = connection.ops
        self._date_cache: dict[dt.date, Any] = {}
        self._adapt_datetime = ops.adapt_datetimefield_value
        self._adapt_date = ops.adapt_datefield_value
        self._native_uuid = connection.features.has_native_uuid_field

    def date(self, value: dt.date | None) -> Any:
        if value is None:
            return None
        cached = self._date_cache.get(value)
        if cached is None:
            cached = self._date_cache[value] = self._adapt_date(value)
        return cached

    def datetime(self, value: dt.datetime | None) -> Any:
        return None if value is None else self._adapt_datetime(value)

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self._native_uuid else value.hex

    def insert(
        self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        meta = model._meta
        columns = ", ".join(connection.ops.quote_name(_column(model, f)) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(meta.db_table)
        total = 0
        if connection.vendor == "postgresql":
            # COPY is an order of magnitude faster than INSERTs on PostgreSQL.
            with self.cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    total += 1
            return total
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for chunk in _chunks(rows, CHUNK):
            self.cursor.executemany(sql, chunk)
            total += len(chunk)
        return total


# Column order of the user rows both generators (professionals, contacts) build.
USER_COLUMNS = [
    "id",
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "language",
    "session_epoch",
    "last_role",
]


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a concrete column")
    return str(field.column)


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- marker -------------------------------------------------------------------------------


def marker_key(scale: Scale, seed: int = SEED) -> str:
    return json.dumps({"version": GENERATOR_VERSION, "seed": seed, **asdict(scale)}, sort_keys=True)


def read_marker() -> dict[str, Any] | None:
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, anchor, seconds FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    return {"key": row[0], "anchor": str(row[1]), "seconds": float(row[2])}


def _write_marker(cursor: Any, key: str, anchor: dt.date, seconds: float) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
        "(key varchar(1000) NOT NULL, anchor varchar(10) NOT NULL, seconds real NOT NULL)"
    )
    cursor.execute(f"DELETE FROM {MARKER_TABLE}")
    cursor.execute(
        f"INSERT INTO {MARKER_TABLE} (key, anchor, seconds) VALUES (%s, %s, %s)",
        [key, anchor.isoformat(), seconds],
    )


def is_generated(scale: Scale, seed: int = SEED) -> bool:
    marker = read_marker()
    return marker is not None and marker["key"] == marker_key(scale, seed)


def database_is_empty() -> bool:
    return not Professional.objects.exists() and not Organisation.objects.exists()


# --- generation ---------------------------------------------------------------------------


def generate(
    scale: Scale = FULL,
    seed: int = SEED,
    *,
    today: dt.date | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Counts:
    """Fill an empty database (migrated) with the register at ``scale``."""
    started = time.perf_counter()
    anchor = today or clock.today()
    now = clock.now()
    rng = random.Random(seed)
    counts = Counts()
    # Durability is not needed while generating (outside a test's transaction only).
    sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic(), connection.cursor() as cursor:
        w = _Writer(cursor)
        register_id = _register(w)
        second_register_id = _register(w, "bo", "Backofficeprofessional")
        activities = _activities(w, rng, scale, anchor)
        log(f"  {len(activities)} activities")
        prof_users = _professionals(
            w, rng, scale, anchor, now, (register_id, second_register_id), activities, counts
        )
        log(
            f"  {counts.professionals} professionals, {counts.periods} periods, "
            f"{counts.completions} completions, {counts.renewals} renewals "
            f"({time.perf_counter() - started:.0f} s)"
        )
        audited = _organisations(w, rng, scale, anchor, now, counts, first_user_id=prof_users + 1)
        log(
            f"  {counts.organisations} organisations, {counts.contacts} contacts, "
            f"{counts.grants} grants ({time.perf_counter() - started:.0f} s)"
        )
        _audit(w, rng, scale, now, audited, counts)
        log(
            f"  {counts.audit_events} audit events, {counts.audit_links} links "
            f"({time.perf_counter() - started:.0f} s)"
        )
        counts.users = User.objects.count()
        # Rows were written directly, not by the register's writers: store the figures once.
        figures.rebuild_figures()
        log(f"  period figures stored ({time.perf_counter() - started:.0f} s)")
        if connection.vendor == "postgresql":
            for statement in connection.ops.sequence_reset_sql(
                no_style(),
                [
                    User,
                    Register,
                    LearningActivity,
                    Professional,
                    Registration,
                    PePeriod,
                    Completion,
                    RenewalSubmission,
                    Organisation,
                    Contact,
                    AccessGrant,
                    AuditEvent,
                    AuditEvent.professionals.through,
                ],
            ):
                cursor.execute(statement)
        _write_marker(cursor, marker_key(scale, seed), anchor, time.perf_counter() - started)
    if connection.vendor == "postgresql":
        # The steady state autovacuum reaches: statistics and the visibility map.
        # VACUUM cannot run in a transaction (the test suite wraps each test in one):
        # there, fresh statistics are all that matter.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
    return counts


def _register(w: _Writer, code: str = "up", name: str = "Uitzendprofessional") -> int:
    register = Register.objects.filter(code=code).first()
    if register is None:
        register = Register.objects.create(
            code=code, name=name, points_required=12, period_months=24
        )
    return register.pk


@dataclass(frozen=True)
class _Activity:
    id: int
    title: str
    provider: str
    kind: str
    points: int


def _activities(w: _Writer, rng: random.Random, scale: Scale, anchor: dt.date) -> list[_Activity]:
    kinds = [k for k in LearningActivity.Kind.values if k != LearningActivity.Kind.IN_COMPANY]
    activities = []
    for index in range(1, scale.activities + 1):
        word = ACTIVITY_WORDS[index % len(ACTIVITY_WORDS)]
        form = ACTIVITY_FORMS[(index // len(ACTIVITY_WORDS)) % len(ACTIVITY_FORMS)]
        activities.append(
            _Activity(
                id=index,
                title=f"{word} {form} {index}",
                provider=rng.choice(PROVIDERS),
                kind=kinds[index % len(kinds)],
                points=rng.choice([1, 1, 2, 2, 2, 3, 3, 4]),
            )
        )
    recognised_from = w.date(anchor - dt.timedelta(days=365 * 10))
    w.insert(
        LearningActivity,
        ["id", "code", "title", "provider", "kind", "points", "recognised_from"],
        (
            (a.id, w.uuid(_uuid(rng)), a.title, a.provider, a.kind, a.points, recognised_from)
            for a in activities
        ),
    )
    return activities


def _completion_counts(rng: random.Random, scale: Scale) -> list[int]:
    """Per professional, summing exactly to ``scale.completions``, with a long tail (issue
    12): most have a handful, some hundreds, a few ``activities × 10`` (the cap keeps the
    distinct (activity, day) pairs the generator draws from plentiful)."""
    n = scale.professionals
    cap = scale.activities * 10
    weights = [rng.paretovariate(1.2) for _ in range(n)]
    share = scale.completions / sum(weights)
    counts = [min(cap, int(weight * share)) for weight in weights]
    missing = scale.completions - sum(counts)
    while missing > 0:
        index = rng.randrange(n)
        if counts[index] < cap:
            counts[index] += 1
            missing -= 1
    return counts


def _professionals(
    w: _Writer,
    rng: random.Random,
    scale: Scale,
    anchor: dt.date,
    now: dt.datetime,
    register_ids: tuple[int, int],
    activities: list[_Activity],
    counts: Counts,
) -> int:
    """Professionals with a registration, periods, completions and renewals; returns users made."""
    register_id, second_register_id = register_ids
    per_professional = _completion_counts(rng, scale)
    users: list[Sequence[Any]] = []
    professionals: list[Sequence[Any]] = []
    registrations: list[Sequence[Any]] = []
    periods: list[Sequence[Any]] = []
    renewals: list[Sequence[Any]] = []
    completions: list[Sequence[Any]] = []
    noon_cache: dict[dt.date, Any] = {}
    joined = w.datetime(now)
    period_id = 0
    completion_id = 0
    renewal_id = 0
    user_id = 0
    completion_fields = [
        "id",
        "professional",
        "activity",
        "title",
        "provider",
        "kind",
        "points",
        "completed_on",
        "source",
        "registered_at",
    ]

    def flush_completions() -> None:
        # Completions arrive over time (attendance imports per activity), not grouped per
        # professional: shuffled, a professional's rows lie scattered over the table as they
        # would in production, instead of side by side (which would flatter every sum).
        nonlocal completion_id
        rng.shuffle(completions)
        rows = []
        for row in completions:
            completion_id += 1
            rows.append((completion_id, *row))
        counts.completions += w.insert(Completion, completion_fields, rows)
        completions.clear()

    for pid in range(1, scale.professionals + 1):
        prefix, last = rng.choice(LAST_NAMES)
        first = rng.choice(FIRST_NAMES)
        user_ref = None
        if pid % scale.users_every == 1 or scale.users_every == 1:
            user_id += 1
            user_ref = user_id
            users.append(
                (
                    user_id,
                    "!bench-unusable",
                    False,
                    f"bench-prof-{pid}",
                    first,
                    f"{prefix} {last}".strip(),
                    f"p{pid}@bench.example",
                    False,
                    True,
                    joined,
                    "nl",
                    0,
                    "",
                )
            )
        professionals.append(
            (
                pid,
                w.uuid(_uuid(rng)),
                user_ref,
                f"{(pid * 7919 + 1031) % 100_000_000:08d}",
                f"{first[0]}.",
                prefix,
                last,
                f"p{pid}@bench.example",
                register_id,
            )
        )
        registered_on = anchor - dt.timedelta(days=rng.randrange(30, 4 * 365 + 300))
        # A few lapsed: their last period ran out before the anchor, without renewal.
        cutoff = anchor
        lapsed = rng.random() < 0.02
        if lapsed:
            cutoff = anchor - dt.timedelta(days=rng.randrange(30, 300))
        spans: list[tuple[int, dt.date, dt.date]] = []
        start = registered_on
        while True:
            end = period_end(start, 24)
            period_id += 1
            spans.append((period_id, start, end))
            if end >= cutoff:
                break
            start = end + dt.timedelta(days=1)
        lapsed = lapsed and spans[-1][2] < anchor
        registrations.append(
            (pid, pid, register_id, "lapsed" if lapsed else "active", w.date(registered_on))
        )
        last_day = min(anchor, spans[-1][2])
        days = max((last_day - registered_on).days, 1)
        seen: set[tuple[int, int]] = set()
        earned = [0] * len(spans)
        while len(seen) < per_professional[pid - 1]:
            activity_index = rng.randrange(len(activities))
            offset = rng.randrange(days)
            if (activity_index, offset) in seen:
                continue
            seen.add((activity_index, offset))
            activity = activities[activity_index]
            day = registered_on + dt.timedelta(days=offset)
            for index, (_, start, end) in enumerate(spans):
                if start <= day <= end:
                    earned[index] += activity.points
                    break
            registered_at = noon_cache.get(day)
            if registered_at is None:
                registered_at = noon_cache[day] = w.datetime(
                    clock.start_of_day(day) + dt.timedelta(hours=12)
                )
            completions.append(
                (
                    pid,
                    activity.id,
                    activity.title,
                    activity.provider,
                    activity.kind,
                    activity.points,
                    w.date(day),
                    "attendance",
                    registered_at,
                )
            )
        for index, (pp_id, start, end) in enumerate(spans):
            periods.append((pp_id, pid, w.date(start), w.date(end), 12, 0, ""))
            current = index == len(spans) - 1
            if not current and earned[index] >= 12:
                renewal_id += 1
                renewals.append(
                    (
                        renewal_id,
                        pp_id,
                        "approved",
                        w.datetime(clock.start_of_day(end - dt.timedelta(days=20))),
                        w.datetime(clock.start_of_day(end - dt.timedelta(days=10))),
                        "",
                    )
                )
            elif current and not lapsed and earned[index] >= 12 and rng.random() < 0.3:
                renewal_id += 1
                submitted = max(
                    now - dt.timedelta(days=rng.randrange(1, 60)), clock.start_of_day(start)
                )
                renewals.append((renewal_id, pp_id, "submitted", w.datetime(submitted), None, ""))
        if pid % scale.second_registration_every == 0:
            # A second registration, in another register, with periods of its own; the same
            # completions count in both (``figures.recounted_points``).
            second_on = anchor - dt.timedelta(days=rng.randrange(30, 3 * 365))
            registrations.append(
                (
                    scale.professionals + pid // scale.second_registration_every,
                    pid,
                    second_register_id,
                    "active",
                    w.date(second_on),
                )
            )
            start = second_on
            while True:
                end = period_end(start, 24)
                period_id += 1
                periods.append(
                    (
                        period_id,
                        scale.professionals + pid // scale.second_registration_every,
                        w.date(start),
                        w.date(end),
                        12,
                        0,
                        "",
                    )
                )
                if end >= anchor:
                    break
                start = end + dt.timedelta(days=1)
        if len(professionals) >= CHUNK:
            _flush_people(w, users, professionals, registrations, periods, renewals, counts)
            flush_completions()
    _flush_people(w, users, professionals, registrations, periods, renewals, counts)
    flush_completions()
    return user_id


def _flush_people(
    w: _Writer,
    users: list[Sequence[Any]],
    professionals: list[Sequence[Any]],
    registrations: list[Sequence[Any]],
    periods: list[Sequence[Any]],
    renewals: list[Sequence[Any]],
    counts: Counts,
) -> None:
    """Write the parents before the completions that reference them (PostgreSQL checks FKs)."""
    w.insert(User, USER_COLUMNS, users)
    counts.professionals += w.insert(
        Professional,
        [
            "id",
            "code",
            "user",
            "registration_number",
            "initials",
            "name_prefix",
            "last_name",
            "email",
            "register",
        ],
        professionals,
    )
    w.insert(
        Registration, ["id", "professional", "register", "status", "registered_on"], registrations
    )
    counts.periods += w.insert(
        PePeriod,
        [
            "id",
            "registration",
            "start",
            "end",
            "points_required",
            "points_earned",
            "renewal_status",
        ],
        periods,
    )
    counts.renewals += w.insert(
        RenewalSubmission,
        ["id", "period", "status", "submitted_at", "decided_at", "reason"],
        renewals,
    )
    for rows in (users, professionals, registrations, periods, renewals):
        rows.clear()


def _organisations(
    w: _Writer,
    rng: random.Random,
    scale: Scale,
    anchor: dt.date,
    now: dt.datetime,
    counts: Counts,
    *,
    first_user_id: int,
) -> _AuditSubjects:
    """Organisations with contacts, the large one with grants from many professionals."""
    users: list[Sequence[Any]] = []
    organisations: list[Sequence[Any]] = []
    contacts: list[Sequence[Any]] = []
    grants: list[Sequence[Any]] = []
    joined = w.datetime(now)
    next_user = first_user_id
    contact_id = 0
    grant_id = 0
    contact_users: dict[int, int] = {}

    def user(username: str, name: str, *, staff: bool = False) -> int:
        nonlocal next_user
        users.append(
            (
                next_user,
                "!bench-unusable",
                False,
                username,
                "",
                name,
                f"{username}@bench.example",
                staff,
                True,
                joined,
                "nl",
                0,
                "",
            )
        )
        next_user += 1
        return next_user - 1

    def contact(org_id: int, username: str, name: str, role: str, *, active: bool = True) -> int:
        nonlocal contact_id
        contact_id += 1
        kind = "department" if role == "administrator" else "person"
        contact_users[contact_id] = user(username, name)
        contacts.append(
            (
                contact_id,
                w.uuid(_uuid(rng)),
                org_id,
                contact_users[contact_id],
                role,
                kind,
                name,
                f"{username}@bench.example",
                active,
                joined,
            )
        )
        return contact_id

    def grant(
        professional: int,
        contact_ref: int,
        granted_days_ago: int,
        *,
        valid_until: dt.date | None = None,
        revoked_days_ago: int | None = None,
    ) -> None:
        nonlocal grant_id
        grant_id += 1
        granted_at = now - dt.timedelta(days=granted_days_ago, minutes=rng.randrange(1440))
        revoked_at = None
        if revoked_days_ago is not None:
            revoked_at = max(now - dt.timedelta(days=revoked_days_ago), granted_at)
        grants.append(
            (
                grant_id,
                w.uuid(_uuid(rng)),
                professional,
                contact_ref,
                w.datetime(granted_at),
                w.date(valid_until),
                w.datetime(revoked_at),
            )
        )

    user(Handles.STAFF, "Registerbeheer", staff=True)
    statuses = ["authorised"] * 90 + ["requested"] * 4 + ["rejected"] * 3 + ["suspended"] * 3
    org_contacts: dict[int, list[int]] = {}
    mid_sizes = dict(zip(Handles.MID_ORG_IDS, scale.mid_org_professionals, strict=True))
    org_status: dict[int, str] = {}
    for org_id in range(1, scale.organisations + 1):
        status = rng.choice(statuses)
        name = f"Uitzendbureau Bench {org_id:04d}"
        if org_id == Handles.LARGE_ORG_ID:
            status, name = "authorised", "Bench Uitzendgroep (groot)"
        elif org_id == Handles.SMALL_ORG_ID:
            status, name = "authorised", "Bench Klein Uitzendbureau"
        elif org_id in mid_sizes:
            status, name = "authorised", f"Bench Uitzendbureau ({mid_sizes[org_id]:,})"
        org_status[org_id] = status
        organisations.append(
            (
                org_id,
                w.uuid(_uuid(rng)),
                name,
                f"{10_000_000 + org_id:08d}",
                f"Stationsplein {org_id}",
                f"{1000 + org_id % 9000:04d} AB",
                rng.choice(CITIES),
                "030-1234567",
                f"info@org{org_id}.bench.example",
                status,
                w.datetime(now - dt.timedelta(days=400)),
                None if status == "requested" else w.datetime(now - dt.timedelta(days=380)),
                "",
            )
        )
        if org_id == Handles.LARGE_ORG_ID:
            admin_username, deputy_username = Handles.LARGE_ADMIN, Handles.LARGE_DEPUTY
        elif org_id == Handles.SMALL_ORG_ID:
            admin_username, deputy_username = Handles.SMALL_ADMIN, f"org{org_id}-deputy"
        elif org_id in mid_sizes:
            admin_username = Handles.MID_ADMINS[Handles.MID_ORG_IDS.index(org_id)]
            deputy_username = f"org{org_id}-deputy"
        else:
            admin_username, deputy_username = f"org{org_id}-admin", f"org{org_id}-deputy"
        refs = [contact(org_id, admin_username, f"HR {name}", "administrator")]
        if org_id == Handles.LARGE_ORG_ID or org_id in mid_sizes or rng.random() < 0.5:
            refs.append(contact(org_id, deputy_username, f"L&D {name}", "deputy"))
        extra = rng.randrange(4)
        if org_id == Handles.LARGE_ORG_ID:
            extra = scale.large_org_contacts
        elif org_id in mid_sizes:  # as many regional contacts per grant as the large one
            extra = max(
                1, scale.large_org_contacts * mid_sizes[org_id] // scale.large_org_professionals
            )
        for index in range(extra):
            refs.append(
                contact(
                    org_id,
                    f"org{org_id}-c{index}",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)[1]} (regio {index})",
                    "contact",
                )
            )
        org_contacts[org_id] = refs
    # The large organisation also has a contact who left (inactive) and still holds grants.
    inactive = contact(
        Handles.LARGE_ORG_ID, "bench-large-left", "Oud-regiomanager", "contact", active=False
    )
    w.insert(User, USER_COLUMNS, users)
    counts.organisations = w.insert(
        Organisation,
        [
            "id",
            "code",
            "name",
            "kvk_number",
            "street",
            "postcode",
            "city",
            "phone",
            "email",
            "status",
            "requested_at",
            "status_changed_at",
            "status_reason",
        ],
        organisations,
    )
    counts.contacts = w.insert(
        Contact,
        [
            "id",
            "code",
            "organisation",
            "user",
            "role",
            "kind",
            "name",
            "email",
            "active",
            "created_at",
        ],
        contacts,
    )

    def organisation_grants(org_id: int, size: int, inactive: int | None) -> list[int]:
        """Most grants to the beheerder (an HR mailbox), the rest to regional contacts; a
        mix of live, ended (end date passed) and revoked. Returns the professionals."""
        refs = org_contacts[org_id]
        admin, regional = refs[0], refs[1:] or refs[:1]
        sample = sorted(rng.sample(range(1, scale.professionals + 1), size))
        for index, professional in enumerate(sample):
            target = admin if rng.random() < 0.7 else rng.choice(regional)
            if inactive is not None and rng.random() < 0.01:
                target = inactive
            state = rng.random()
            if index < 2:  # the mix exists at any scale: one ended, one revoked
                target, state = admin, 0.85 + index * 0.1
            days_ago = rng.randrange(2, 700)
            if state < 0.80:
                if rng.random() < 0.03:  # history: an earlier grant to the same contact, revoked
                    grant(professional, target, days_ago + 400, revoked_days_ago=days_ago + 30)
                until = (
                    None
                    if rng.random() < 0.5
                    else anchor + dt.timedelta(days=rng.randrange(1, 700))
                )
                grant(professional, target, days_ago, valid_until=until)
            elif state < 0.92:
                ended = anchor - dt.timedelta(days=rng.randrange(1, min(days_ago, 365)))
                grant(professional, target, days_ago, valid_until=ended)
            else:
                grant(professional, target, days_ago, revoked_days_ago=rng.randrange(1, days_ago))
            if rng.random() < 0.10:
                second = rng.choice([c for c in regional if c != target] or [admin])
                grant(professional, second, rng.randrange(2, 700))
        return sample

    large_sample = organisation_grants(
        Handles.LARGE_ORG_ID, scale.large_org_professionals, inactive
    )
    for org_id, size in mid_sizes.items():
        organisation_grants(org_id, size, None)
    # The small organisation: a handful of live grants to its beheerder.
    small_admin = org_contacts[Handles.SMALL_ORG_ID][0]
    for professional in rng.sample(range(1, scale.professionals + 1), scale.small_org_grants):
        grant(professional, small_admin, rng.randrange(2, 300))
    # Every other organisation: a few grants each (also to non-authorised ones).
    for org_id, refs in org_contacts.items():
        if org_id in (Handles.LARGE_ORG_ID, Handles.SMALL_ORG_ID) or org_id in mid_sizes:
            continue
        taken: set[tuple[int, int]] = set()
        for _ in range(rng.randrange(0, 40)):
            pair = (rng.randrange(1, scale.professionals + 1), rng.choice(refs))
            if pair in taken:
                continue
            taken.add(pair)
            expired = rng.random() < 0.1
            grant(
                pair[0],
                pair[1],
                rng.randrange(2, 700),
                valid_until=anchor - dt.timedelta(days=1) if expired else None,
            )
    counts.grants = w.insert(
        AccessGrant,
        ["id", "code", "professional", "contact", "granted_at", "valid_until", "revoked_at"],
        grants,
    )
    return _AuditSubjects(
        large_contacts=[(ref, contact_users[ref]) for ref in org_contacts[Handles.LARGE_ORG_ID]],
        large_professionals=large_sample,
    )


@dataclass(frozen=True)
class _AuditSubjects:
    large_contacts: list[tuple[int, int]]  # (contact, its user) of the large organisation
    large_professionals: list[int]  # every professional who ever authorised it


def _audit(
    w: _Writer,
    rng: random.Random,
    scale: Scale,
    now: dt.datetime,
    subjects: _AuditSubjects,
    counts: Counts,
) -> None:
    """The audit tables as a year of use leaves them (issue 12): per professional a few
    events linked to them (dossier views by a contact, attendance registered by a provider,
    renewals), and the large organisation's weekly report download linking every
    professional it had, as the download did before report snapshots."""
    Link = AuditEvent.professionals.through
    events: list[Sequence[Any]] = []
    links: list[Sequence[Any]] = []
    event_id = 0
    year = 365 * 24 * 60
    empty = "{}"

    def event(action: str, minutes_ago: int, actor: int | None, contact: int | None) -> int:
        nonlocal event_id
        event_id += 1
        organisation = Handles.LARGE_ORG_ID if contact is not None else None
        at = w.datetime(now - dt.timedelta(minutes=minutes_ago))
        events.append((event_id, at, actor, action, organisation, contact, empty))
        return event_id

    actions = ["completions.registered"] * 3 + ["dossier.viewed"] * 2 + ["renewal.submitted"]
    for professional in range(1, scale.professionals + 1):
        for _ in range(scale.audit_events_per_professional):
            action = rng.choice(actions)
            contact, actor = None, None
            if action == "dossier.viewed":
                contact, actor = rng.choice(subjects.large_contacts)
            links.append((event(action, rng.randrange(year), actor, contact), professional))
        if len(links) >= CHUNK:
            _flush_audit(w, Link, events, links, counts)
    contact, actor = subjects.large_contacts[0]
    for week in range(scale.large_org_downloads):
        download = event("report.downloaded", week * 7 * 24 * 60 + 600, actor, contact)
        links.extend((download, professional) for professional in subjects.large_professionals)
        _flush_audit(w, Link, events, links, counts)
    _flush_audit(w, Link, events, links, counts)


def _flush_audit(
    w: _Writer,
    link: type[models.Model],
    events: list[Sequence[Any]],
    links: list[Sequence[Any]],
    counts: Counts,
) -> None:
    counts.audit_events += w.insert(
        AuditEvent, ["id", "at", "actor", "action", "organisation", "contact", "data"], events
    )
    counts.audit_links += w.insert(
        link, ["id", "auditevent", "professional"], _numbered(links, counts)
    )
    events.clear()
    links.clear()


def _numbered(rows: list[Sequence[Any]], counts: Counts) -> Iterator[Sequence[Any]]:
    for index, row in enumerate(rows, start=counts.audit_links + 1):
        yield (index, *row)

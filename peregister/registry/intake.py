"""Taking on a professional: the checks on their personal data and the registration's first period.

One place for the rules, read by the staff form (*Professional toevoegen*, *wijzigen*) and by the
import of professionals, so a row in a file is judged exactly like the form. Creating a
registration and its period goes through ``open_registrations`` only, so the stored figures
(``figures``) are kept at one spot.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.registry import figures
from peregister.registry.models import PePeriod, Professional, Register, Registration
from peregister.registry.periods import add_months, period_end

# Model limits, checked before any query (an over-long LIKE pattern is a 500 on SQLite).
MAX_LENGTHS = {
    "initials": 20,
    "name_prefix": 30,
    "last_name": 150,
    "email": 254,
    "registration_number": 20,
}
# The register's number as text: ASCII letters and digits (leading zeros are kept), a dash.
NUMBER_SHAPE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}")
# Letters (any script), spaces, dots, apostrophes and dashes: what Dutch names are written with.
# Each repetition starts with separators and must end in letters, so there is one way to split a
# name: linear, where a nested ``(…*)*`` took exponential time on "a" + 30 dashes + "1".
NAME_SHAPE = re.compile(r"[^\W\d_]+(?:[ .'’-]+[^\W\d_]+)*[ .'’-]*", re.UNICODE)
EARLIEST_BIRTH = dt.date(1900, 1, 1)

# Labels of the personal data, as the form, the check step and the dossier name them.
FIELD_LABELS = {
    "initials": gettext_lazy("voorletters"),
    "name_prefix": gettext_lazy("tussenvoegsel"),
    "last_name": gettext_lazy("achternaam"),
    "email": gettext_lazy("e-mailadres"),
    "date_of_birth": gettext_lazy("geboortedatum"),
}


@dataclass(frozen=True)
class PersonData:
    """A professional's personal data as the register keeps it."""

    initials: str
    name_prefix: str
    last_name: str
    email: str
    date_of_birth: dt.date | None

    @classmethod
    def of(cls, professional: Professional) -> PersonData:
        return cls(**{f.name: getattr(professional, f.name) for f in fields(cls)})

    def changes_from(self, professional: Professional) -> list[str]:
        """Names of the fields whose value differs from ``professional``'s."""
        return [
            f.name for f in fields(self) if getattr(self, f.name) != getattr(professional, f.name)
        ]


def _has_control_characters(text: str) -> bool:
    """Control characters, or U+FFFD: what bytes that were not UTF-8 became on the way in."""
    return any(ord(char) < 32 or ord(char) == 127 or char == "\ufffd" for char in text)


def person_problems(
    data: PersonData, *, register: Register | None, today: dt.date
) -> list[tuple[str, str]]:
    """What is wrong with ``data``, as (field, message) pairs; empty when it may be saved."""
    problems: list[tuple[str, str]] = []
    for name in ("initials", "name_prefix", "last_name", "email"):
        value = getattr(data, name)
        if _has_control_characters(value):
            problems.append((name, _("Dit veld bevat tekens die niet in een naam of adres horen.")))
        elif len(value) > MAX_LENGTHS[name]:
            problems.append(
                (
                    name,
                    _("Te lang: maximaal %(maximum)s tekens.") % {"maximum": MAX_LENGTHS[name]},
                )
            )
    bad = {name for name, _message in problems}
    if "initials" not in bad and not data.initials:
        problems.append(("initials", _("Vul de voorletters in.")))
    if "last_name" not in bad and not data.last_name:
        problems.append(("last_name", _("Vul de achternaam in.")))
    for name in ("initials", "last_name", "name_prefix"):
        value = getattr(data, name)
        if name not in bad and value and not NAME_SHAPE.fullmatch(value):
            problems.append(
                (name, _("Gebruik alleen letters, spaties, punten, apostroffen en streepjes."))
            )
    if "email" not in bad and data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            problems.append(("email", _("Vul een geldig e-mailadres in.")))
    if data.date_of_birth is None:
        if register is not None and register.requires_date_of_birth:
            problems.append(
                ("date_of_birth", _("Dit register vraagt een geboortedatum. Vul die in."))
            )
    elif data.date_of_birth > today:
        problems.append(("date_of_birth", _("De geboortedatum ligt in de toekomst.")))
    elif data.date_of_birth < EARLIEST_BIRTH:
        problems.append(("date_of_birth", _("Deze geboortedatum is niet geloofwaardig.")))
    return problems


def number_problem(number: str) -> str | None:
    """Why ``number`` cannot be a registration number, or None."""
    if not number:
        return _("Vul het registratienummer in.")
    if len(number) > MAX_LENGTHS["registration_number"]:
        return _("Een registratienummer heeft hoogstens 20 tekens.")
    if not NUMBER_SHAPE.fullmatch(number):
        return _(
            "Een registratienummer bestaat uit cijfers en letters (en eventueel een streepje)."
        )
    return None


def start_problem(start: dt.date, today: dt.date) -> str | None:
    if start > today:
        return _("De registratie kan niet in de toekomst beginnen.")
    return None


def first_period_start(registered_on: dt.date, months: int, today: dt.date) -> dt.date:
    """The start of the period that runs today, on the register's cycle from ``registered_on``.

    A registration taken on years after it began gets the period it is in now, not a first
    period long past (which the daily closing would lapse at once); earlier periods are not
    invented, the register has no points for them.
    """
    if today <= period_end(registered_on, months):
        return registered_on
    # Counted from ``registered_on`` each time (not stepped), so a start on the 31st keeps its
    # day where the month has one; jump close first instead of looping over decades.
    cycle = max(
        ((today.year - registered_on.year) * 12 + today.month - registered_on.month) // months - 1,
        0,
    )
    while period_end(add_months(registered_on, cycle * months), months) < today:
        cycle += 1
    return add_months(registered_on, cycle * months)


def open_registration(
    *, professional: Professional, register: Register, registered_on: dt.date, today: dt.date
) -> tuple[Registration, PePeriod]:
    """Create the registration and its first PE period by the register's rules (data on
    ``Register``). Runs inside the caller's transaction; the caller audits."""
    ((registration, period),) = open_registrations(
        [(professional.pk, register, registered_on)], today=today
    )
    return registration, period


# Rows per INSERT when many registrations are opened at once (an import of 100,000).
BATCH_SIZE = 1000


def open_registrations(
    wanted: list[tuple[int, Register, dt.date]], *, today: dt.date
) -> list[tuple[Registration, PePeriod]]:
    """``open_registration`` for many (professional id, register, registered on) at once, in
    batched INSERTs: the registrations, then each one's first PE period. Runs inside the
    caller's transaction; the caller audits."""
    registrations = Registration.objects.bulk_create(
        [
            Registration(professional_id=pk, register=register, registered_on=registered_on)
            for pk, register, registered_on in wanted
        ],
        batch_size=BATCH_SIZE,
    )
    periods = []
    for registration, (_pk, register, registered_on) in zip(registrations, wanted, strict=True):
        start = first_period_start(registered_on, register.period_months, today)
        periods.append(
            PePeriod(
                registration=registration,
                start=start,
                end=period_end(start, register.period_months),
                points_required=register.points_required,
            )
        )
    PePeriod.objects.bulk_create(periods, batch_size=BATCH_SIZE)
    # As figures.open_period does for one: completions already registered for the professional
    # (a provider's list before the intake) count in the new period's stored points; one
    # UPDATE per batch.
    for at in range(0, len(periods), BATCH_SIZE):
        batch = {period.pk: period for period in periods[at : at + BATCH_SIZE]}
        PePeriod.objects.filter(pk__in=batch).update(points_earned=figures.recounted_points())
        for pk, points in PePeriod.objects.filter(pk__in=batch).values_list("pk", "points_earned"):
            batch[pk].points_earned = points
    return list(zip(registrations, periods, strict=True))

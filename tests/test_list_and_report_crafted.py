"""*Professionals* and *rapportage* against rows written out by hand (not by the row source).

One organisation at a frozen moment, with the cases where the two pages could disagree: a
future-only period, an ended and a lapsed registration, a second registration with only a
future period, a grant ending today, one revoked later, one that ended yesterday, one that
starts later, a deactivated contact and a suspended organisation.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
import time_machine

from peregister.access import policies
from peregister.accounts.models import User
from peregister.core import clock
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import Professional, Registration
from peregister.reports.rows import report_rows
from tests import factories
from tests.conftest import client_for

URL = "/werkgever/professionals/"
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=clock.AMSTERDAM)
TODAY = NOW.date()
UP = "Uitzendprofessional"


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _professional(first: str, last: str, number: str) -> Professional:
    return cast(
        Professional,
        factories.ProfessionalFactory(initials=first, last_name=last, registration_number=number),
    )


def _period(
    professional: Professional,
    start: dt.date,
    *,
    points: int = 0,
    status: str = Registration.Status.ACTIVE,
    register: Any = None,
) -> None:
    registration = factories.RegistrationFactory(
        professional=professional,
        status=status,
        registered_on=start,
        **({"register": register} if register else {}),
    )
    factories.PePeriodFactory(registration=registration, start=start)
    if points:
        factories.CompletionFactory(professional=professional, points=points, completed_on=start)


def _contact(**fields: Any) -> Contact:
    return cast(Contact, factories.ContactFactory(**fields))


def _grant(professional: Professional, contact: Contact, **fields: Any) -> None:
    factories.AccessGrantFactory(professional=professional, contact=contact, **fields)


@pytest.fixture
def people(db: None, frozen: None) -> dict[str, User | None]:
    organisation = factories.OrganisationFactory(name="De Brug")
    administrator = _contact(organisation=organisation, role=Contact.Role.ADMINISTRATOR, name="HR")
    deputy = _contact(organisation=organisation, role=Contact.Role.DEPUTY, name="Tweede contact")
    regio = _contact(organisation=organisation, name="Regiomanager")
    inactive = _contact(organisation=organisation, name="Oud", active=False)
    suspended = factories.OrganisationFactory(status=Organisation.Status.SUSPENDED)
    suspended_admin = _contact(organisation=suspended, role=Contact.Role.ADMINISTRATOR)
    suspended_contact = _contact(organisation=suspended)
    backoffice = factories.RegisterFactory(code="bo", name="Backoffice")

    anna = _professional("Anna", "Actief", "0000001")
    _period(anna, dt.date(2025, 1, 1), points=10)  # pace needs 8 by today: op schema
    _period(anna, dt.date(2026, 9, 1), register=backoffice)  # second registration, not started
    _grant(anna, regio)
    _grant(anna, deputy, valid_until=dt.date(2026, 12, 31))

    bram = _professional("Bram", "Toekomst", "0000002")
    _period(bram, dt.date(2026, 7, 1))  # only a future period
    _grant(bram, regio, valid_until=TODAY)  # ends today: still live all day

    cor = _professional("Cor", "Beëindigd", "0000003")
    _period(cor, dt.date(2024, 3, 1), points=12, status=Registration.Status.ENDED)
    _grant(cor, administrator, revoked_at=NOW + dt.timedelta(hours=1))  # revoked later

    dirk = _professional("Dirk", "Vervallen", "0000004")
    _period(dirk, dt.date(2024, 1, 1), points=3, status=Registration.Status.LAPSED)
    _grant(dirk, regio, valid_until=dt.date(2026, 12, 31))

    for first, last, number in [("Eva", "Gisteren", "5"), ("Frank", "Later", "6")]:
        _period(_professional(first, last, number), dt.date(2025, 1, 1))
    eva, frank = Professional.objects.filter(registration_number__in=["5", "6"]).order_by("pk")
    _grant(eva, regio, granted_at=NOW - dt.timedelta(days=30), valid_until=TODAY - dt.timedelta(1))
    _grant(frank, regio, granted_at=NOW + dt.timedelta(days=1))
    gert = _professional("Gert", "Gedeactiveerd", "0000007")
    _period(gert, dt.date(2025, 1, 1))
    _grant(gert, inactive)
    hans = _professional("Hans", "Geschorst", "0000008")
    _period(hans, dt.date(2025, 1, 1))
    _grant(hans, suspended_admin)
    _grant(hans, suspended_contact)

    return {
        "administrator": administrator.user,
        "deputy": deputy.user,
        "regio": regio.user,
        "inactive": inactive.user,
        "suspended_admin": suspended_admin.user,
        "suspended_contact": suspended_contact.user,
        "professional": anna.user,
        "staff": cast(User, factories.UserFactory(is_staff=True)),
        "anonymous": None,
    }


# name, register, period, earned, required, status, registration status, contacts, until
ANNA = ("Anna Actief", UP, (dt.date(2025, 1, 1), dt.date(2026, 12, 31)), 10, 12, "on_track")
COR = ("Cor Beëindigd", UP, (dt.date(2024, 3, 1), dt.date(2026, 2, 28)), 12, 12, "met")
BRAM = ("Bram Toekomst", "", (None, None), None, None, "no_period")
DIRK = ("Dirk Vervallen", UP, (dt.date(2024, 1, 1), dt.date(2025, 12, 31)), 3, 12, "expired")
REPORT = [
    (*ANNA, "active", "Regiomanager, Tweede contact", None),
    (*COR, "ended", "HR", None),
    (*BRAM, "", "Regiomanager", TODAY),
    (*DIRK, "lapsed", "Regiomanager", dt.date(2026, 12, 31)),
]

# What each persona's *Professionals* list shows, cell by cell (the last cell is the link);
# dates in the table format, dd-mm-jjjj.
# Anna's forecast: 10 points in 531 of 730 days, 10 × 730 // 531 = 13.
ANNA_CELLS = ["Anna Actief", "0000001", UP, "01-01-2025 – 31-12-2026", "10 / 12", "13", "op schema"]
LISTS: dict[str, list[list[str]]] = {
    "regio": [
        [*ANNA_CELLS, "onbeperkt"],
        ["Bram Toekomst", "0000002", "", "", "", "", "geen lopende PE-periode", "15-06-2026"],
        [
            "Dirk Vervallen",
            "0000004",
            UP,
            "01-01-2024 – 31-12-2025",
            "3 / 12",
            "3",  # after the end: what was earned
            "verlopen vervallen",
            "31-12-2026",
        ],
    ],
    "deputy": [[*ANNA_CELLS, "31-12-2026"]],
    "administrator": [
        [
            "Cor Beëindigd",
            "0000003",
            UP,
            "01-03-2024 – 28-02-2026",
            "12 / 12",
            "12",
            "behaald beëindigd",
            "onbeperkt",
        ]
    ],
}
# suspended_admin and suspended_contact: a suspended organisation's contacts are not offered
# the list at all (like before authorisation: nothing to show).


def _cells(body: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[-1], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        text = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]
        rows.append(text[:-1])  # the last cell is the *open dossier* icon
    return rows if "<tbody>" in body else []


def test_the_report_is_the_hand_written_rows(people: dict[str, User | None]) -> None:
    for persona in ["administrator", "deputy"]:
        scope = policies.report_scope_or_404(people[persona])
        rows = [
            (
                row.name,
                row.register,
                (row.period_start, row.period_end),
                row.points_earned,
                row.points_required,
                row.status,
                row.registration_status,
                row.contacts,
                row.authorised_until,
            )
            for row in report_rows(scope)
        ]
        assert rows == REPORT, persona


def test_the_report_forecasts_are_the_hand_written_ones(people: dict[str, User | None]) -> None:
    scope = policies.report_scope_or_404(people["administrator"])
    forecasts = {row.name: (row.forecast_points, row.at_risk) for row in report_rows(scope)}
    assert forecasts == {
        "Anna Actief": (13, False),  # 10 × 730 // 531
        "Cor Beëindigd": (12, False),
        "Bram Toekomst": (None, False),
        "Dirk Vervallen": (3, False),  # verlopen: no longer at risk, the status says more
    }


def test_the_report_page_shows_them_and_no_one_else_has_a_report(
    people: dict[str, User | None],
) -> None:
    for persona, user in people.items():
        response = client_for(user).get("/werkgever/rapportage/")
        if persona in ("administrator", "deputy"):
            body = response.content.decode()
            names = [row[0] for row in REPORT]
            assert sorted(names, key=body.index) == names, persona  # all there, in this order
        else:
            assert policies.report_scope(user) is None, persona
            assert response.status_code in (302, 404), persona


def test_each_list_is_the_hand_written_rows(people: dict[str, User | None]) -> None:
    for persona, user in people.items():
        response = client_for(user).get(URL)
        if persona in LISTS:
            assert response.status_code == 200, persona
            assert _cells(response.content.decode()) == LISTS[persona], persona
        else:  # not an active contact of an authorised organisation: no list at all
            assert response.status_code in (302, 404), persona

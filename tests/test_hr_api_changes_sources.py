"""Issue 16, review findings F2 and F4: everything the HR API's list answers that can change
shows up in its ``changes`` feed, and every way a professional leaves the organisation's
report leaves a ``visible: false`` entry (ASVS V4.1.3: what the HR system keeps must follow
the professional's consent as the report does).

Each test reads the feed as an HR system does: it drains the feed first, lets a service
change something, and asks again after the settle time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import time_machine
from django.test import Client

from peregister.access.models import AccessGrant
from peregister.access.services import change_grant_end
from peregister.backoffice.organisations import reinstate_organisation, suspend_organisation
from peregister.backoffice.professionals import update_professional
from peregister.core import clock
from peregister.organisations.models import Contact
from peregister.organisations.services import set_contact_active
from peregister.registry.intake import PersonData
from peregister.reports import tokens
from tests.conftest import World

AMS = clock.AMSTERDAM
CHANGES = "/api/v1/organisation/changes"
START = dt.datetime(2027, 6, 1, 10, 0, tzinfo=AMS)


def _changes(raw: str, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": 100}
    if cursor:
        params["cursor"] = cursor
    answer = Client().get(CHANGES, params, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 200, answer.content
    return answer.json()


def _drained(world: World) -> tuple[str, str]:
    """A token and the cursor after everything up to ``START``."""
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        raw = tokens.create_token(actor=world.administrator.user, name="AFAS")[1]
    with time_machine.travel(START, tick=False):
        cursor = None
        while True:
            page = _changes(raw, cursor)
            cursor = page["next_cursor"]
            if not page["has_more"]:
                return raw, cursor


def _after_change(world: World, change: Callable[[], Any]) -> list[dict[str, Any]]:
    raw, cursor = _drained(world)
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        change()
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        return _changes(raw, cursor)["items"]


def _live_grant(world: World) -> AccessGrant:
    return AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)


def test_a_deactivated_contact_leaves_a_no_longer_visible_entry(world: World) -> None:
    """F2: the beheerder deactivates the contact the professional granted."""
    contact = Contact.objects.get(pk=world.contact_live.pk)
    items = _after_change(
        world,
        lambda: set_contact_active(actor=world.administrator.user, contact=contact, active=False),
    )
    assert [(i["professional"], i["visible"], i["rows"]) for i in items] == [
        (str(world.professional.code), False, [])
    ]


def test_a_suspended_and_reinstated_organisation_is_in_the_feed(world: World) -> None:
    """F2: while suspended the token answers 401; once reinstated the feed names everyone the
    suspension hid, so an HR system that removed them on the 401 gets them back."""

    def suspend_and_reinstate() -> None:
        suspend_organisation(actor=world.staff, organisation=world.organisation, reason="Onderzoek")
        reinstate_organisation(actor=world.staff, organisation=world.organisation)

    items = _after_change(world, suspend_and_reinstate)
    # Everyone granted the organisation is named; those whose grant had ended are again
    # reported as not visible.
    assert {i["professional"] for i in items if i["visible"]} == {str(world.professional.code)}
    named = {i["professional"] for i in items}
    assert named == {
        str(g.professional.code)
        for g in AccessGrant.objects.filter(contact__organisation=world.organisation)
    }


def test_a_changed_professional_name_is_in_the_feed(world: World) -> None:
    """F4: the register corrects the professional's name."""

    def rename() -> None:
        person = PersonData.of(world.professional)
        update_professional(
            actor=world.staff,
            professional=world.professional,
            person=dataclasses.replace(person, last_name="Anders"),
        )

    items = _after_change(world, rename)
    assert [(i["professional"], i["visible"]) for i in items] == [
        (str(world.professional.code), True)
    ]
    assert items[0]["rows"][0]["name"].endswith("Anders")


def test_a_changed_authorised_until_is_in_the_feed(world: World) -> None:
    """F4: the professional moves the *geautoriseerd tot* date of the grant."""
    grant = _live_grant(world)
    new_end = dt.date(2028, 1, 31)
    items = _after_change(
        world,
        lambda: change_grant_end(actor=world.professional.user, grant=grant, valid_until=new_end),
    )
    assert [(i["professional"], i["visible"]) for i in items] == [
        (str(world.professional.code), True)
    ]
    assert items[0]["rows"][0]["authorised_until"] == new_end.isoformat()


def test_a_change_of_the_granted_contact_is_in_the_feed(world: World) -> None:
    """F4: a change the register records for the granted contact names the professionals who
    granted it (no service renames a contact today; one that does records ``contact.changed``
    like these, and the feed reads those events)."""
    contact = Contact.objects.get(pk=world.contact_live.pk)

    def off_and_on() -> None:
        set_contact_active(actor=world.administrator.user, contact=contact, active=False)
        set_contact_active(actor=world.administrator.user, contact=contact, active=True)

    items = _after_change(world, off_and_on)
    assert [(i["professional"], i["visible"]) for i in items] == [
        (str(world.professional.code), True)
    ]


def test_another_organisations_contact_changes_nothing_in_this_feed(world: World) -> None:
    other = Contact.objects.filter(organisation=world.other_org_admin.organisation).exclude(
        pk=world.other_org_admin.pk
    )
    raw, cursor = _drained(world)
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        for contact in other:
            set_contact_active(actor=world.other_org_admin.user, contact=contact, active=False)
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        assert _changes(raw, cursor)["items"] == []

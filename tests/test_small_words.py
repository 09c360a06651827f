"""The small words a person trips over: footnotes only when they apply, plain Dutch, no
"(niet verplicht)" on a search box."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from peregister.core import clock
from tests import factories
from tests.conftest import World, client_for

BEHIND_NOTE = "“Achter” betekent"


@pytest.mark.parametrize(("points", "behind"), [(0, True), (6, False)])
def test_the_achter_note_appears_only_when_someone_is_achter(
    db: None, points: int, behind: bool
) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, 12, tzinfo=clock.AMSTERDAM), tick=False):
        # Half-way through the period: 6 points is on schedule, 0 is behind.
        registration = factories.RegistrationFactory(registered_on=dt.date(2024, 1, 1))
        factories.PePeriodFactory(registration=registration)
        if points:
            factories.CompletionFactory(
                professional=registration.professional,
                completed_on=dt.date(2024, 6, 1),
                points=points,
            )
        client = client_for(registration.professional.user)
        for page in ("/", "/mijn/dossier/"):
            body = client.get(page).content.decode()
            assert ("status-behind" in body) is behind, page
            assert (BEHIND_NOTE in body) is behind, page


def test_the_kvk_note_says_plainly_who_changes_it(world: World) -> None:
    client = client_for(world.administrator.user)
    for page in ("/werkgever/organisatie/", "/werkgever/organisatie/wijzigen/"):
        body = client.get(page).content.decode()
        assert "Is het KvK-nummer veranderd? Dat kunt u niet zelf wijzigen." in body
        assert "Vraag het register om het aan te passen." in body
        assert "wijzigt alleen het register" not in body


def test_search_boxes_do_not_say_niet_verplicht(world: World) -> None:
    body = client_for(world.professional.user).get("/mijn/inzage-werkgever/toevoegen/")
    assert "Zoek op naam of plaats" in body.content.decode()
    assert "niet verplicht" not in body.content.decode()
    staff = client_for(world.staff).get("/register/leeractiviteiten/").content.decode()
    assert "niet verplicht" not in staff


def test_optional_fields_of_real_forms_still_say_so(world: World) -> None:
    grant = world.professional.grants.filter(contact=world.contact_live).get()
    body = client_for(world.professional.user).get(f"/mijn/inzage-werkgever/{grant.code}/wijzigen/")
    assert 'geautoriseerd tot <span class="optional">(niet verplicht)</span>' in (
        body.content.decode()
    )


@pytest.mark.parametrize(("points", "behind"), [(0, True), (12, False)])
def test_the_rapportage_explains_achter_only_when_someone_is(
    world: World, points: int, behind: bool
) -> None:
    period = world.professional.registrations.get().periods.get()
    if points:
        factories.CompletionFactory(
            professional=world.professional, completed_on=period.start, points=points
        )
    body = client_for(world.administrator.user).get("/werkgever/rapportage/").content.decode()
    overview = body.split('id="overzicht"', 1)[1]
    assert ('<span class="status status-behind">achter</span>' in overview) is behind
    assert (BEHIND_NOTE in body) is behind

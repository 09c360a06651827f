"""A form opened in one role and sent after a switch to another role (in another tab) writes
nothing (issue 18, review 18c G1): every POST form carries the acting role's key and a POST of a
person with several roles whose key is not the acting one's answers 409.

ASVS 4.0.3 V4.1.3 / 4.2.1: a write acts only for the role (organisation) the person saw it for.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

from django.conf import settings
from django.test import Client

from peregister.accounts.roles import ROLE_FIELD, contact_key
from peregister.audit.models import AuditEvent
from peregister.organisations.forms import OrganisationDataForm
from peregister.organisations.models import Contact
from peregister.providers import keys
from tests import factories
from tests.conftest import World

EDIT = "/werkgever/organisatie/wijzigen/"
ADD = "/werkgever/beheerders/toevoegen/"
SWITCH = "/account/rol-wisselen/"
REFUSED = "U bent intussen gewisseld van rol. Open de pagina opnieuw; er is niets opgeslagen."
KEY = re.compile(rf'name="{ROLE_FIELD}" value="([^"]+)"')


def _noord_too(world: World) -> tuple[Contact, Contact]:
    """De Brug's beheerder is also 2e contactpersoon of Flexgroep Noord."""
    brug = world.administrator
    noord = factories.ContactFactory(
        organisation=world.two_orgs_at_noord.organisation,
        user=brug.user,
        role=Contact.Role.DEPUTY,
        name="2e Noord",
    )
    return brug, cast(Contact, noord)


def _logged_in(contact: Contact) -> Client:
    """A browser without help: its POSTs carry only what the test puts in them."""
    client = Client()
    client.force_login(contact.user)
    return client


def _form_key(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = KEY.search(page.content.decode())
    assert found is not None, "the form carries no acting role"
    return found.group(1)


def _switch(client: Client, contact: Contact) -> None:
    assert client.post(SWITCH, {"role": contact_key(contact)}).status_code == 302


def test_an_organisation_form_sent_after_a_switch_changes_nothing(world: World) -> None:
    brug, noord = _noord_too(world)
    client = _logged_in(brug)
    _switch(client, noord)
    key = _form_key(client, EDIT)
    assert key == contact_key(noord)
    data = {**OrganisationDataForm.initial_for(noord.organisation), "phone": "0201234567"}
    _switch(client, brug)  # another tab
    events = AuditEvent.objects.count()

    response = client.post(EDIT, {**data, ROLE_FIELD: key})

    assert response.status_code == 409
    text = response.content.decode()
    assert REFUSED in text
    assert "Uitzendbureau De Brug" in text  # the role the person works in now
    brug.organisation.refresh_from_db()
    noord.organisation.refresh_from_db()
    assert brug.organisation.name == "Uitzendbureau De Brug"
    assert "0201234567" not in (brug.organisation.phone, noord.organisation.phone)
    assert AuditEvent.objects.count() == events


def test_an_added_contact_after_a_switch_is_not_added(world: World) -> None:
    brug, noord = _noord_too(world)
    client = _logged_in(brug)
    _switch(client, noord)
    key = _form_key(client, ADD)
    _switch(client, brug)
    data = {
        "kind": "person",
        "name": "Nieuw bij Noord",
        "email": "nieuw-noord@example.nl",
        "role": "contact",
        "username": "nieuw-noord",
        "language": "nl",
        ROLE_FIELD: key,
    }

    response = client.post(ADD, data)

    assert response.status_code == 409
    assert not Contact.objects.filter(name="Nieuw bij Noord").exists()


def test_the_form_of_the_acting_role_still_saves(world: World) -> None:
    brug, noord = _noord_too(world)
    client = _logged_in(brug)
    _switch(client, noord)
    key = _form_key(client, EDIT)
    data = {**OrganisationDataForm.initial_for(noord.organisation), "phone": "0201234567"}

    response = client.post(EDIT, {**data, ROLE_FIELD: key})

    assert response.status_code == 302
    noord.organisation.refresh_from_db()
    assert noord.organisation.phone == "0201234567"


def test_a_script_sends_the_role_in_a_header(world: World) -> None:
    """The passkey script posts JSON: the key travels in ``X-Acting-Role``."""
    brug, _ = _noord_too(world)
    client = _logged_in(brug)
    data = {**OrganisationDataForm.initial_for(brug.organisation), "phone": "0207654321"}

    response = client.post(EDIT, data, headers={"X-Acting-Role": contact_key(brug)})

    assert response.status_code == 302
    brug.organisation.refresh_from_db()
    assert brug.organisation.phone == "0207654321"


def test_a_post_without_a_role_from_a_person_with_several_roles_is_refused(world: World) -> None:
    brug, _ = _noord_too(world)
    client = _logged_in(brug)
    data = {**OrganisationDataForm.initial_for(brug.organisation), "phone": "0201234567"}

    response = client.post(EDIT, data)

    assert response.status_code == 409
    brug.organisation.refresh_from_db()
    assert brug.organisation.phone != "0201234567"


def test_a_person_with_one_role_needs_no_key(world: World) -> None:
    client = _logged_in(world.administrator)
    assert ROLE_FIELD in client.get(EDIT).content.decode()  # carried, but not asked for
    data = {**OrganisationDataForm.initial_for(world.organisation), "phone": "0201234567"}

    response = client.post(EDIT, data)

    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.phone == "0201234567"


def test_switching_and_logging_out_need_no_key(world: World) -> None:
    brug, noord = _noord_too(world)
    client = _logged_in(brug)
    assert client.post(SWITCH, {"role": contact_key(noord), ROLE_FIELD: "oud"}).status_code == 302
    assert client.post("/account/uitloggen/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_anonymous_form_carries_no_role() -> None:
    page = Client().get("/account/inloggen/")
    assert page.status_code == 200
    assert ROLE_FIELD not in page.content.decode()


def test_every_post_form_carries_the_acting_role() -> None:
    """The key is written by ``{% csrf_token %}`` (a template builtin): a POST form without it
    would be refused for a person with several roles, so none may lack it."""
    base = Path(settings.BASE_DIR)
    post_forms, lacking = 0, []
    for template in [
        *base.glob("templates/**/*.html"),
        *base.glob("peregister/*/templates/**/*.html"),
    ]:
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, flags=re.S | re.I):
            if re.search(r"""method=["']?post""", form, flags=re.I):
                post_forms += 1
                if "{% csrf_token %}" not in form:
                    lacking.append(str(template))
    assert post_forms > 50  # the scan sees the product's forms
    assert lacking == []


def test_the_api_is_not_asked_for_a_role(world: World) -> None:
    """An API call is authenticated by its key alone: a session cookie of a person with several
    roles that the client happens to send does not make it a form."""
    admin = world.provider_admin
    factories.ContactFactory(organisation=world.organisation, user=admin.user, name="Ook werkgever")
    raw = keys.create_api_key(actor=admin.user, name="Administratie")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.force_login(admin.user)

    response = client.post(
        "/api/v1/completions",
        json.dumps({"rows": []}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="batch-1",
    )

    assert response.status_code != 409
    assert response["Content-Type"].startswith("application/json")

"""Flow 4: *Organisatie*, *Beheerders*, *toevoegen beheerder*, roles, handover, own profile."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from peregister.access import policies
from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.core.refusals import Refused
from peregister.organisations import services
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for

Role = Contact.Role
NEW_PASSWORD = "Zomer-avond-2026!"


def roles(organisation: Organisation) -> dict[str, tuple[str, bool]]:
    return {c.name: (c.role, c.active) for c in organisation.contacts.all()}


# --- Organisatie --------------------------------------------------------------------------


def organisation_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "De Brug Uitzenden",
        "street": "Brugstraat 3",
        "postcode": "1011ab",
        "city": "Amsterdam",
        "phone": "+31 20 123 4567",
        "email": "info@debrug.example",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["administrator", "deputy"])
def test_managers_view_and_edit_the_organisation(world: World, persona: str) -> None:
    client = client_for(getattr(world, persona).user)
    page = client.get("/werkgever/organisatie/").content.decode()
    assert world.organisation.kvk_number in page
    response = client.post("/werkgever/organisatie/wijzigen/", organisation_data())
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.name == "De Brug Uitzenden"
    assert world.organisation.postcode == "1011 AB"
    event = AuditEvent.objects.get(action=AuditEvent.Action.ORGANISATION_UPDATED)
    assert event.actor == getattr(world, persona).user
    assert "name" in event.data["fields"]


def test_invalid_organisation_data_changes_nothing(world: World) -> None:
    client = client_for(world.administrator.user)
    before = Organisation.objects.values().get(pk=world.organisation.pk)
    for bad in (
        {"postcode": "ABCD 12"},
        {"email": "nope"},
        {"name": ""},
        {"phone": "bel maar"},
        {"city": "x" * 101},
    ):
        response = client.post("/werkgever/organisatie/wijzigen/", organisation_data(**bad))
        assert response.status_code == 400, bad
        assert 'class="field-error"' in response.content.decode()
    # KvK is not editable by the employer: a crafted field is ignored.
    client.post("/werkgever/organisatie/wijzigen/", organisation_data(kvk_number="99999999"))
    world.organisation.refresh_from_db()
    assert world.organisation.kvk_number == before["kvk_number"]
    for event in AuditEvent.objects.filter(action=AuditEvent.Action.ORGANISATION_UPDATED):
        assert "kvk_number" not in event.data["fields"]


def test_ordinary_contacts_only_see_their_own_profile(world: World) -> None:
    client = client_for(world.contact_live.user)
    for path in (
        "/werkgever/organisatie/",
        "/werkgever/organisatie/wijzigen/",
        "/werkgever/beheerders/",
        "/werkgever/beheerders/toevoegen/",
        f"/werkgever/beheerders/{world.contact_live.code}/",
    ):
        assert client.get(path).status_code == 404, path
    profile = client.get("/werkgever/profiel/").content.decode()
    assert world.contact_live.name in profile
    assert world.contact_live.user.username in profile
    assert world.administrator.name not in profile
    nav = client.get("/").content.decode()
    assert 'href="/werkgever/profiel/"' in nav
    assert 'href="/werkgever/beheerders/"' not in nav


def test_managers_see_the_menu_items(world: World) -> None:
    body = client_for(world.deputy.user).get("/").content.decode()
    assert 'href="/werkgever/organisatie/"' in body
    assert 'href="/werkgever/beheerders/"' in body


# --- Beheerders / toevoegen beheerder -------------------------------------------------------


def contact_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "department",
        "name": "L&D De Brug",
        "email": "ld@debrug.example",
        "role": "contact",
        "username": "ld-debrug",
        "language": "nl",
    }
    data.update(overrides)
    return data


def test_contact_list_shows_all_contacts(world: World) -> None:
    body = client_for(world.administrator.user).get("/werkgever/beheerders/").content.decode()
    for contact in (world.administrator, world.deputy, world.contact_live):
        assert contact.name in body
        assert contact.email in body
    assert world.other_org_admin.name not in body
    assert "toevoegen beheerder" in body


def test_toevoegen_beheerder_of_an_authorised_organisation_does_not_promise_authorisation(
    world: World,
) -> None:
    body = client_for(world.administrator.user).get("/werkgever/beheerders/toevoegen/")
    text = body.content.decode()
    assert body.status_code == 200
    assert "Zodra uw organisatie is geautoriseerd" not in text
    assert "kunnen professionals deze contactpersoon inzage geven" in text


def _role_hint(body: str, role: str) -> str:
    """The hint the radio button of ``role`` points at with aria-describedby."""
    radio = re.search(rf'<input type="radio" name="role" value="{role}"[^>]*>', body)
    assert radio is not None
    hint_id = re.search(r'aria-describedby="([^"]+)"', radio.group(0))
    assert hint_id is not None
    hint = re.search(rf'<p class="help choice-hint" id="{hint_id.group(1)}">(.*?)</p>', body)
    assert hint is not None
    return hint.group(1)


@pytest.mark.parametrize("url", ["/werkgever/beheerders/toevoegen/", "contact_detail"])
def test_each_role_says_plainly_what_it_may_do(world: World, url: str) -> None:
    if url == "contact_detail":
        url = f"/werkgever/beheerders/{world.contact_live.code}/"
    body = client_for(world.administrator.user).get(url).content.decode()
    contact = _role_hint(body, "contact")
    assert (
        "alleen de PE-dossiers van professionals die deze contactpersoon of afdeling zelf"
        in contact
    )
    assert "Geen rapportage" in contact
    deputy = _role_hint(body, "deputy")
    assert "alleen de beheerdersrol overdragen kan hij of zij niet" in deputy
    assert "rapportage van alle PE-medewerkers" in deputy
    # The ordinary contact is what a regional manager needs: the choice made for you.
    assert re.search(r'value="contact"[^>]* checked', body)


def test_add_contact_creates_account_and_mails_the_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.deputy.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/werkgever/beheerders/toevoegen/", contact_data())
    assert response.status_code == 302
    contact = Contact.objects.get(name="L&D De Brug")
    assert contact.organisation == world.organisation
    assert contact.kind == Contact.Kind.DEPARTMENT
    assert contact.role == Role.CONTACT
    assert not contact.user.has_usable_password()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CONTACT_ADDED, contact=contact, actor=world.deputy.user
    ).exists()
    [message] = mail.outbox
    assert message.to == ["ld@debrug.example"]
    html = str(next(content for content, kind in message.alternatives if kind == "text/html"))
    for part in (str(message.body), html):
        assert "ld-debrug" in part
        assert "/account/inloggen/" in part
    link = re.search(
        r"http://\S+(/account/wachtwoord-instellen/[A-Za-z0-9_-]+/)", str(message.body)
    )
    assert link
    assert link.group(1) in html
    new = Client()
    assert (
        new.post(
            link.group(1), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        ).status_code
        == 302
    )
    new.post("/account/inloggen/", {"username": "LD-DEBRUG", "password": NEW_PASSWORD})
    assert new.get("/werkgever/profiel/").status_code == 200
    assert new.get("/werkgever/beheerders/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"role": "administrator"}, "role", "Selecteer een geldige keuze"),
        ({"role": "superuser"}, "role", "Selecteer een geldige keuze"),
        ({"role": "deputy"}, "role", "Er is al een 2e contactpersoon"),
        ({"kind": "robot"}, "kind", "Selecteer een geldige keuze"),
        ({"email": "ld@"}, "email", "Voer een geldig e-mailadres in."),
        ({"name": ""}, "name", "Dit veld is verplicht."),
        ({"name": "x" * 151}, "name", "niet meer dan 150 tekens"),
        ({"username": "l&d"}, "username", "Gebruik alleen letters"),
        ({"language": "de"}, "language", "Selecteer een geldige keuze"),
    ],
)
def test_add_contact_validation(
    world: World, overrides: dict[str, str], field: str, message: str
) -> None:
    before = Contact.objects.count()
    response = client_for(world.administrator.user).post(
        "/werkgever/beheerders/toevoegen/", contact_data(**overrides)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body or (field == "kind" and message in body)
    assert message in body
    assert Contact.objects.count() == before
    assert not User.objects.filter(username="ld-debrug").exists()


def test_a_second_deputy_is_refused_by_the_database_too(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=world.contact_live.pk).update(role=Role.DEPUTY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=world.contact_live.pk).update(role=Role.ADMINISTRATOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=world.administrator.pk).update(active=False)


# --- roles -------------------------------------------------------------------------------


def post_role(user: User, contact: Contact, role: str) -> Any:
    return client_for(user).post(f"/werkgever/beheerders/{contact.code}/rol/", {"role": role})


def test_deputy_slot_moves_only_when_free(world: World) -> None:
    admin = world.administrator.user
    refused = post_role(admin, world.contact_live, "deputy")
    assert refused.status_code == 400
    assert "Er is al een 2e contactpersoon" in refused.content.decode()
    assert post_role(admin, world.deputy, "contact").status_code == 302
    assert post_role(admin, world.contact_live, "deputy").status_code == 302
    assert roles(world.organisation)["Regiomanager"] == (Role.DEPUTY, True)
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_CHANGED)
    assert changes.count() == 2


def test_the_administrator_cannot_be_demoted_or_deactivated(world: World) -> None:
    before = roles(world.organisation)
    for user in (world.administrator.user, world.deputy.user):
        assert post_role(user, world.administrator, "contact").status_code == 400
        response = client_for(user).post(
            f"/werkgever/beheerders/{world.administrator.code}/actief/", {"active": "0"}
        )
        assert response.status_code == 400
        assert "kan niet worden gedeactiveerd" in response.content.decode()
    assert roles(world.organisation) == before
    with pytest.raises(Refused):
        services.change_contact_role(
            actor=world.administrator.user, contact=world.administrator, role=Role.CONTACT
        )


def test_a_deputy_cannot_promote_themself(world: World) -> None:
    before = roles(world.organisation)
    deputy = world.deputy.user
    assert post_role(deputy, world.deputy, "administrator").status_code == 400
    handover = client_for(deputy).post(f"/werkgever/beheerders/{world.deputy.code}/overdragen/")
    assert handover.status_code == 404
    handover = client_for(deputy).post(
        f"/werkgever/beheerders/{world.contact_live.code}/overdragen/"
    )
    assert handover.status_code == 404
    assert roles(world.organisation) == before
    with pytest.raises(Refused):
        services.hand_over_administrator(actor=deputy, to=world.deputy)
    assert roles(world.organisation) == before


def test_nobody_raises_their_own_role(world: World) -> None:
    # A deputy may step down, but then is no manager and cannot climb back.
    assert post_role(world.deputy.user, world.deputy, "contact").status_code == 302
    with pytest.raises(Refused):
        services.change_contact_role(
            actor=world.deputy.user, contact=world.deputy, role=Role.DEPUTY
        )
    assert post_role(world.deputy.user, world.deputy, "deputy").status_code == 404
    world.deputy.refresh_from_db()
    assert world.deputy.role == Role.CONTACT


def test_crafted_posts_for_another_organisation_change_nothing(world: World) -> None:
    other = factories.ContactFactory(organisation=world.other_org_admin.organisation)
    admin = world.administrator.user
    assert post_role(admin, other, "deputy").status_code == 404
    client = client_for(admin)
    assert (
        client.post(f"/werkgever/beheerders/{other.code}/actief/", {"active": "0"}).status_code
        == 404
    )
    assert client.post(f"/werkgever/beheerders/{other.code}/overdragen/").status_code == 404
    assert client.get(f"/werkgever/beheerders/{other.code}/").status_code == 404
    other.refresh_from_db()
    assert (other.role, other.active) == (Role.CONTACT, True)
    with pytest.raises(Refused):
        services.set_contact_active(actor=admin, contact=other, active=False)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_CHANGED).exists()


@pytest.mark.parametrize("data", [{}, {"active": "maybe"}, {"role": "x"}])
def test_garbage_posts_are_400(world: World, data: dict[str, str]) -> None:
    client = client_for(world.administrator.user)
    assert (
        client.post(f"/werkgever/beheerders/{world.contact_live.code}/actief/", data).status_code
        == 400
    )
    assert (
        client.post(f"/werkgever/beheerders/{world.contact_live.code}/rol/", data).status_code
        == 400
    )
    assert client.get(f"/werkgever/beheerders/{world.contact_live.code}/rol/").status_code == 405
    world.contact_live.refresh_from_db()
    assert (world.contact_live.role, world.contact_live.active) == (Role.CONTACT, True)


# --- deactivate / reactivate ---------------------------------------------------------------


def test_deactivate_and_reactivate_a_contact(world: World) -> None:
    client = client_for(world.deputy.user)
    path = f"/werkgever/beheerders/{world.contact_live.code}/actief/"
    assert client.post(path, {"active": "0"}).status_code == 302
    assert not policies.can_view_dossier(world.contact_live.user, world.professional)
    assert client_for(world.contact_live.user).get("/werkgever/profiel/").status_code == 404
    assert client.post(path, {"active": "1"}).status_code == 302
    assert policies.can_view_dossier(world.contact_live.user, world.professional)
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CONTACT_CHANGED, contact=world.contact_live
        ).count()
        == 2
    )


def test_nobody_deactivates_themself(world: World) -> None:
    response = client_for(world.deputy.user).post(
        f"/werkgever/beheerders/{world.deputy.code}/actief/", {"active": "0"}
    )
    assert response.status_code == 400
    assert "eigen account" in response.content.decode()
    world.deputy.refresh_from_db()
    assert world.deputy.active


# --- handover ------------------------------------------------------------------------------


def test_hand_over_to_the_deputy_swaps_roles(world: World) -> None:
    client = client_for(world.administrator.user)
    page = client.get(f"/werkgever/beheerders/{world.deputy.code}/overdragen/")
    assert page.status_code == 200
    assert client.post(f"/werkgever/beheerders/{world.deputy.code}/overdragen/").status_code == 302
    world.deputy.refresh_from_db()
    world.administrator.refresh_from_db()
    assert world.deputy.role == Role.ADMINISTRATOR
    assert world.administrator.role == Role.DEPUTY
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CONTACT_CHANGED, data__handover=True
        ).count()
        == 2
    )
    assert (
        Contact.objects.filter(organisation=world.organisation, role=Role.ADMINISTRATOR).count()
        == 1
    )


def test_hand_over_to_a_contact_leaves_the_old_administrator_a_contact(world: World) -> None:
    services.hand_over_administrator(actor=world.administrator.user, to=world.contact_live)
    assert roles(world.organisation)["Regiomanager"] == (Role.ADMINISTRATOR, True)
    assert roles(world.organisation)["HR De Brug"] == (Role.CONTACT, True)
    assert client_for(world.administrator.user).get("/werkgever/beheerders/").status_code == 404
    assert client_for(world.contact_live.user).get("/werkgever/beheerders/").status_code == 200


def test_hand_over_refuses_inactive_contacts_and_oneself(world: World) -> None:
    Contact.objects.filter(pk=world.contact_live.pk).update(active=False)
    before = roles(world.organisation)
    client = client_for(world.administrator.user)
    response = client.post(f"/werkgever/beheerders/{world.contact_live.code}/overdragen/")
    assert response.status_code == 400
    assert "Activeer deze contactpersoon eerst." in response.content.decode()
    assert (
        client.post(f"/werkgever/beheerders/{world.administrator.code}/overdragen/").status_code
        == 400
    )
    assert roles(world.organisation) == before


def test_dashboard_links_managers_to_their_pages(world: World) -> None:
    body = client_for(world.administrator.user).get("/").content.decode()
    assert 'href="/werkgever/organisatie/"' in body
    assert 'href="/werkgever/beheerders/toevoegen/"' in body
    plain = client_for(world.contact_live.user).get("/").content.decode()
    assert 'href="/werkgever/beheerders/toevoegen/"' not in plain


@pytest.mark.parametrize("status", ["requested", "rejected", "suspended"])
def test_contacts_are_added_only_after_authorisation(
    world: World, status: str, django_capture_on_commit_callbacks: Any
) -> None:
    """Otherwise a public account request would let anyone make the register mail strangers."""
    Organisation.objects.filter(pk=world.organisation.pk).update(status=status)
    client = client_for(world.administrator.user)
    body = client.get("/").content.decode()
    assert 'href="/werkgever/organisatie/"' in body
    assert 'href="/werkgever/beheerders/toevoegen/"' not in body
    page = client.get("/werkgever/beheerders/toevoegen/")
    assert page.status_code == 200
    expected = (
        "Uw organisatie is geschorst door het register"
        if status == "suspended"
        else "zodra het register uw organisatie heeft geautoriseerd"
    )
    assert expected in page.content.decode()
    before = Contact.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/werkgever/beheerders/toevoegen/", contact_data())
    assert response.status_code == 400
    assert Contact.objects.count() == before
    assert mail.outbox == []
    world.organisation.refresh_from_db()
    with pytest.raises(Refused):
        services.add_contact(
            actor=world.administrator.user,
            organisation=world.organisation,
            kind="person",
            name="X",
            email="x@example.nl",
            role="contact",
            username="x-user",
        )

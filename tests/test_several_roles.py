"""One account, several roles (issue 18): role offers to existing accounts, the acting role,
the role switcher, and that nothing of one role leaks into another."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from peregister.access import policies
from peregister.accounts import tokens
from peregister.accounts.models import User
from peregister.accounts.roles import PROFESSIONAL_KEY, SESSION_ROLE, contact_key, roles_of
from peregister.audit.models import AuditEvent
from peregister.notifications.models import OutboxMessage
from peregister.organisations.models import Contact
from tests import factories
from tests.conftest import World, client_for
from tests.factories import PASSWORD
from tests.role_offers import offer_role

ADD = "/werkgever/beheerders/toevoegen/"


def _contact_data(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "person",
        "name": "Pim als regiomanager",
        "email": "nieuw@example.nl",
        "role": "contact",
        "username": "pim-regio",
        "language": "nl",
    }
    data.update(overrides)
    return data


# --- adding a contact whose e-mail already has an account ------------------------------------


def test_an_existing_account_is_offered_the_role_not_given_a_second_account(world: World) -> None:
    person = world.professional.user
    users_before = User.objects.count()
    contact, _ = offer_role(world, person)
    assert User.objects.count() == users_before
    assert contact.user == person
    assert contact.offer == Contact.Offer.PENDING
    mail = OutboxMessage.objects.get(template="role_offered")
    assert mail.recipients == [person.email]  # to that address, nowhere else
    assert "offer_url" in mail.secret_keys


def test_the_beheerder_cannot_tell_an_existing_account_from_a_new_one(world: World) -> None:
    """ASVS 2.5.x / V3 enumeration: the answer, the list and the contact page say the same
    whether the e-mail address had an account; the existing username never shows."""
    client = client_for(world.administrator.user)
    pages = []
    for email, username in (
        (world.professional.user.email, "a-regio"),
        ("nog@example.nl", "b-regio"),
    ):
        response = client.post(ADD, _contact_data(email=email, username=username), follow=True)
        assert response.status_code == 200
        message = [str(m) for m in response.context["messages"]]
        contact = Contact.objects.get(organisation=world.organisation, email=email)
        detail = client.get(f"/werkgever/beheerders/{contact.code}/").content.decode()
        pages.append((message, detail.replace(email, "E").replace(str(contact.code), "C")))
    assert pages[0][0] == pages[1][0]
    assert world.professional.user.username not in pages[0][1]
    assert "nog niet in gebruik genomen" in pages[0][1]
    assert "nog niet in gebruik genomen" in pages[1][1]


def test_a_username_taken_by_someone_else_is_not_revealed(world: World) -> None:
    """The known leak: adding a contact with someone else's username said "already in use".
    Now the new contact gets a free variant, mailed to them; the beheerder's answer is the
    usual one."""
    response = client_for(world.administrator.user).post(
        ADD, _contact_data(username=world.staff.username.upper())
    )
    assert response.status_code == 302
    contact = Contact.objects.get(email="nieuw@example.nl")
    assert contact.user.username.lower() != world.staff.username.lower()
    assert contact.user.username.lower().startswith(world.staff.username.lower())


def test_an_existing_contact_of_the_same_organisation_is_refused(world: World) -> None:
    before = Contact.objects.count()
    response = client_for(world.administrator.user).post(
        ADD, _contact_data(email=world.contact_live.user.email)
    )
    assert response.status_code == 400
    assert Contact.objects.count() == before


# --- until accepted the role gives nothing ---------------------------------------------------


def test_a_pending_role_gives_no_access(world: World) -> None:
    person = world.other_professional.user
    contact, _ = offer_role(world, person)
    # Even a grant to it (made by hand) opens nothing.
    factories.AccessGrantFactory(professional=world.professional, contact=contact)
    roles = roles_of(User.objects.get(pk=person.pk))
    assert all(choice.contact != contact for choice in roles.choices)
    assert not policies.can_view_dossier(person, world.professional)
    client = client_for(person, contact_key(contact))  # a forged session choice
    assert client.get("/werkgever/professionals/").status_code == 404
    assert client.post("/account/rol-wisselen/", {"role": contact_key(contact)}).status_code == 400
    # A professional choosing whom to grant does not see it either.
    grant_form = client_for(world.professional.user).get(
        f"/mijn/inzage-werkgever/toevoegen/{world.organisation.code}/"
    )
    assert str(contact.code) not in grant_form.content.decode()


def test_accepting_the_role_gives_access_and_is_audited(world: World) -> None:
    person = world.other_professional.user
    contact, url = offer_role(world, person)
    invited = client_for(person)
    page = invited.get(url)
    assert page.status_code == 200
    assert world.organisation.name in page.content.decode()
    assert invited.post(url, {"answer": "accept"}).status_code == 200
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.ACCEPTED
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_ACCEPTED)
    assert (event.actor, event.contact) == (person, contact)
    client = client_for(person, contact_key(contact))
    assert client.get("/werkgever/profiel/").status_code == 200


def test_the_link_works_once(world: World) -> None:
    _, url = offer_role(world, world.other_professional.user)
    invited = client_for(world.other_professional.user)
    assert invited.post(url, {"answer": "accept"}).status_code == 200
    assert invited.get(url).status_code == 410
    assert invited.post(url, {"answer": "decline"}).status_code == 410
    assert Client().get(url).status_code == 410
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_DECLINED).count() == 0


def test_declining_keeps_the_role_without_access(world: World) -> None:
    person = world.other_professional.user
    contact, url = offer_role(world, person)
    assert client_for(person).post(url, {"answer": "decline"}).status_code == 200
    contact.refresh_from_db()
    assert (contact.offer, contact.active) == (Contact.Offer.DECLINED, False)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ROLE_DECLINED, contact=contact
    ).exists()
    assert roles_of(User.objects.get(pk=person.pk)).choices[0].key == PROFESSIONAL_KEY
    assert len(roles_of(User.objects.get(pk=person.pk)).choices) == 1


@pytest.mark.parametrize("answer", ["", "maybe", "accept\x00"])
def test_a_garbage_answer_is_refused_and_changes_nothing(world: World, answer: str) -> None:
    contact, url = offer_role(world, world.other_professional.user)
    invited = client_for(world.other_professional.user)
    assert invited.post(url, {"answer": answer}).status_code == 400
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.PENDING


def test_a_set_password_link_is_no_role_link_and_the_other_way_round(world: World) -> None:
    """The links share one token code but never work as each other (purpose)."""
    user = world.other_professional.user
    raw = tokens.issue_token(user)
    assert Client().get(f"/account/rol-bevestigen/{raw}/").status_code == 404
    _, url = offer_role(world, user)
    role_raw = url.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(f"/account/wachtwoord-instellen/{role_raw}/").status_code == 404


# --- the acting role and the switcher ---------------------------------------------------------


def test_the_switcher_shows_only_for_people_with_more_than_one_role(world: World) -> None:
    assert 'id="role-select"' not in client_for(world.professional.user).get("/").content.decode()
    body = world.client("dual_as_professional").get("/").content.decode()
    assert 'id="role-select"' in body
    assert "Uitzendbureau De Brug" in body  # the role names its organisation


def test_switching_is_a_post_with_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dual_contact.user)
    response = client.post("/account/rol-wisselen/", {"role": contact_key(world.dual_contact)})
    assert response.status_code == 403
    assert client.get("/account/rol-wisselen/").status_code == 405


def test_switching_is_audited_and_the_pages_follow(world: World) -> None:
    client = world.client("dual_as_professional")
    assert client.get("/mijn/dossier/").status_code == 200
    response = client.post("/account/rol-wisselen/", {"role": contact_key(world.dual_contact)})
    assert response.status_code == 302
    assert client.session[SESSION_ROLE] == contact_key(world.dual_contact)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_SWITCHED)
    assert (event.actor, event.contact, event.organisation) == (
        world.dual_contact.user,
        world.dual_contact,
        world.organisation,
    )
    assert event.data == {"role": "contact", "previous": PROFESSIONAL_KEY}
    # The professional's page answers 404 under the contact role, like any page not yours.
    assert client.get("/mijn/dossier/").status_code == 404
    assert client.get("/werkgever/profiel/").status_code == 200
    menu = client.get("/").content.decode()
    assert 'href="/mijn/dossier/"' not in menu
    assert 'href="/werkgever/profiel/"' in menu


@pytest.mark.parametrize("role", ["", "contact:nope", "professional ", "x" * 5000])
def test_a_role_not_ones_own_is_refused(world: World, role: str) -> None:
    client = world.client("two_orgs_as_brug")
    assert client.post("/account/rol-wisselen/", {"role": role}).status_code == 400
    assert client.post("/account/rol-wisselen/", {"role": PROFESSIONAL_KEY}).status_code == 400
    foreign = contact_key(world.administrator)
    assert client.post("/account/rol-wisselen/", {"role": foreign}).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_SWITCHED).exists()


def test_a_contact_of_two_organisations_sees_only_the_acting_ones_data(world: World) -> None:
    """ASVS 4.1.3/4.2.1: acting for A never shows B's data; B's pages answer 404 under A."""
    factories.AccessGrantFactory(professional=world.professional, contact=world.two_orgs_at_brug)
    brug = world.client("two_orgs_as_brug")
    noord = world.client("two_orgs_as_noord")
    dossier = f"/werkgever/professionals/{world.professional.code}/"
    assert brug.get(dossier).status_code == 200
    assert noord.get(dossier).status_code == 404
    assert (
        world.professional.last_name not in noord.get("/werkgever/professionals/").content.decode()
    )
    assert brug.get("/werkgever/rapportage/").status_code == 404
    report = noord.get("/werkgever/rapportage/")
    assert report.status_code == 200
    assert report.context["organisation"] == world.two_orgs_at_noord.organisation
    assert noord.get(f"/werkgever/beheerders/{world.contact_live.code}/").status_code == 404
    assert brug.get(f"/werkgever/beheerders/{world.two_orgs_at_noord.code}/").status_code == 404
    # The policy itself, given the acting roles, decides the same.
    user = world.two_orgs_at_brug.user
    as_noord = roles_of(user, contact_key(world.two_orgs_at_noord))
    assert not policies.can_view_dossier(as_noord, world.professional)
    assert policies.report_scope(roles_of(user, contact_key(world.two_orgs_at_brug))) is None


def test_a_professional_role_never_opens_dossiers_granted_to_the_persons_contact(
    world: World,
) -> None:
    factories.AccessGrantFactory(professional=world.professional, contact=world.dual_contact)
    dossier = f"/werkgever/professionals/{world.professional.code}/"
    assert world.client("dual_as_contact").get(dossier).status_code == 200
    assert world.client("dual_as_professional").get(dossier).status_code == 404


def test_the_grants_list_names_each_contacts_organisation(world: World) -> None:
    """The same person as contact of two organisations: two rows, each with its organisation."""
    for contact in (world.two_orgs_at_brug, world.two_orgs_at_noord):
        contact.organisation.status = "authorised"
        contact.organisation.save()
        factories.AccessGrantFactory(professional=world.professional, contact=contact)
    body = client_for(world.professional.user).get("/mijn/inzage-werkgever/").content.decode()
    for contact in (world.two_orgs_at_brug, world.two_orgs_at_noord):
        grant = contact.grants.get()
        org_cell = re.search(rf'id="grant-{grant.code}-org">([^<]*)<', body)
        assert org_cell is not None
        assert org_cell.group(1) == contact.organisation.name


# --- the second factor follows every role, not only the acting one ---------------------------


def test_a_beheerder_elsewhere_needs_the_second_factor_in_any_role(world: World) -> None:
    """ASVS 2.7/2.8 (level 2): two_orgs is a plain contact at De Brug but beheerder of
    Flexgroep Noord; acting for De Brug does not lift the second factor."""
    client = Client()
    assert (
        client.post(
            "/account/inloggen/",
            {"username": world.two_orgs_at_brug.user.username, "password": PASSWORD},
        ).status_code
        == 302
    )
    session = client.session
    session[SESSION_ROLE] = contact_key(world.two_orgs_at_brug)
    session.save()
    response = client.get("/werkgever/profiel/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/tweede-stap/")
    roles = roles_of(world.two_orgs_at_brug.user, contact_key(world.two_orgs_at_brug))
    assert not roles.manages_organisation
    assert roles.privileged


def test_an_api_key_acts_for_its_own_provider_whatever_else_its_maker_is(world: World) -> None:
    """The provider's beheerder was first a contact of an employer (their default role): the
    key still authenticates, and acts, for the provider."""
    from peregister.accounts.roles import act_for
    from peregister.providers import keys

    employer_role = factories.ContactFactory(organisation=world.organisation)
    provider_role = factories.ContactFactory(
        user=employer_role.user,
        organisation=factories.ProviderFactory(name="Opleider Twee"),
        role=Contact.Role.ADMINISTRATOR,
    )
    maker = User.objects.get(pk=employer_role.user_id)
    assert roles_of(maker).contact == employer_role
    act_for(maker, provider_role)
    _, raw = keys.create_api_key(actor=maker, name="planning")
    key = keys.key_for(raw)
    assert key is not None
    assert roles_of(key.created_by).contact == provider_role


def test_the_grant_service_refuses_a_role_not_yet_accepted(world: World) -> None:
    from peregister.access.services import grant_access_to_contacts
    from peregister.core.refusals import Refused

    contact, _ = offer_role(world, world.other_professional.user)
    with pytest.raises(Refused):
        grant_access_to_contacts(
            actor=world.professional.user,
            professional=world.professional,
            contacts=[contact],
            valid_until=None,
        )
    assert not contact.grants.exists()

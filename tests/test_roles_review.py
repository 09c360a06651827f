"""Issue 18's review findings on roles, role offers and single sign-on (F1-F9 and the acting
role across logins). Security tests name the OWASP ASVS 4.0.3 item they prove."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from peregister.accounts.models import SetPasswordToken, SsoIdentity, User
from peregister.accounts.roles import PROFESSIONAL_KEY, SESSION_ROLE, contact_key, roles_of
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.notifications.models import OutboxMessage
from peregister.organisations import services
from peregister.organisations.models import Contact, Organisation
from tests.conftest import World, client_for
from tests.factories import PASSWORD
from tests.role_offers import offer_path, offer_role

ADD = "/werkgever/beheerders/toevoegen/"
SECURITY = "/account/beveiliging/"


def _security_events(action: str) -> list[AuditEvent]:
    assert action in AuditEvent.SECURITY_ACTIONS
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- F1: only the account the offer was made to answers it ------------------------------------


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_another_logged_in_account_cannot_answer_a_role_offer(world: World, answer: str) -> None:
    """ASVS 4.0.3 V4.1.2 / V4.2.1 (IDOR): a role link held by someone else's logged-in
    session changes nothing; the page says to log out and open it as the invited person."""
    person = world.other_professional.user
    contact, url = offer_role(world, person)
    intruder = client_for(world.professional.user)
    page = intruder.get(url)
    assert page.status_code == 403
    text = page.content.decode()
    assert "Log uit en log in met het account waaraan de rol is aangeboden" in text
    assert world.organisation.name not in text  # the offer's details stay with its person
    response = intruder.post(url, {"answer": answer})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert (contact.offer, contact.active) == (Contact.Offer.PENDING, True)
    # Recorded on the answer only (review 18b F5), not on opening the link.
    events = _security_events("contact.role_offer_wrong_account")
    assert [event.actor for event in events] == [world.professional.user]
    assert all(event.contact == contact for event in events)
    # The invited person, logged in as themself, still can.
    assert client_for(person).post(url, {"answer": "accept"}).status_code == 200
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.ACCEPTED


def test_the_service_refuses_another_account_too(world: World) -> None:
    contact, url = offer_role(world, world.other_professional.user)
    raw = url.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(Refused):
        services.answer_role_offer(actor=world.professional.user, raw_token=raw, accept=True)
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.PENDING


# --- F3: security events ---------------------------------------------------------------------


def test_a_forged_role_switch_is_a_security_event(world: World) -> None:
    """ASVS 4.0.3 V7.1.3 / V7.2.2: a POST choosing a role the user does not hold is logged."""
    client = world.client("two_orgs_as_brug")
    forged = contact_key(world.administrator)
    assert client.post("/account/rol-wisselen/", {"role": forged}).status_code == 400
    assert client.post("/account/rol-wisselen/", {"role": "x" * 5000}).status_code == 400
    first, second = _security_events("account.role_switch_refused")
    assert first.actor == world.two_orgs_at_brug.user
    assert first.data["requested"] == forged
    assert len(second.data["requested"]) <= 64


# Answering an offer is recorded and listed as a security event:
# ``tests/test_roles_review_b.py::test_role_answers_appear_in_the_security_list``.


# --- F6: the grant form names only accepted, active contacts ----------------------------------


def test_the_grant_form_never_names_a_contact_that_has_not_accepted(world: World) -> None:
    """ASVS 4.0.3 V4.1.3: a role not yet accepted is not offered or named to a professional."""
    world.deputy.offer = Contact.Offer.PENDING
    world.deputy.save(update_fields=["offer"])
    page = client_for(world.professional.user).get(
        f"/mijn/inzage-werkgever/toevoegen/{world.organisation.code}/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert world.deputy.name not in text
    assert world.administrator.name in text


# --- remembering the acting role across logins --------------------------------------------------


def test_the_last_chosen_role_is_used_at_the_next_login(world: World) -> None:
    user = world.dual_contact.user
    client = client_for(user, PROFESSIONAL_KEY)
    client.post("/account/rol-wisselen/", {"role": contact_key(world.dual_contact)})
    client.post("/account/uitloggen/")
    fresh = Client()
    response = fresh.post("/account/inloggen/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert fresh.get("/werkgever/profiel/").status_code == 200
    assert fresh.get("/mijn/dossier/").status_code == 404


def test_a_remembered_role_no_longer_held_falls_back_to_the_default(world: World) -> None:
    user = world.dual_contact.user
    client_for(user, PROFESSIONAL_KEY).post(
        "/account/rol-wisselen/", {"role": contact_key(world.dual_contact)}
    )
    Contact.objects.filter(pk=world.dual_contact.pk).update(offer=Contact.Offer.DECLINED)
    roles = roles_of(User.objects.get(pk=user.pk))
    assert roles.acting_key == PROFESSIONAL_KEY
    fresh = Client()
    fresh.post("/account/inloggen/", {"username": user.username, "password": PASSWORD})
    assert fresh.get("/mijn/dossier/").status_code == 200


# --- F2: linked SSO identities listed and removable ---------------------------------------------


def _identity(user: User, provider: str = "mijnseu") -> SsoIdentity:
    return SsoIdentity.objects.create(
        user=user,
        provider=provider,
        subject=f"sub-{user.pk}",
        linked_by=SsoIdentity.LinkedBy.CLAIMS,
        linked_at=clock.now() - dt.timedelta(days=3),
        last_login_at=clock.now() - dt.timedelta(hours=2),
    )


def test_the_security_page_lists_linked_identities(world: World) -> None:
    identity = _identity(world.professional.user)
    text = client_for(world.professional.user).get(SECURITY).content.decode()
    assert "Inloggen via" in text
    assert "mijnseu" in text  # no provider configured in this test: its name stands in
    assert f'name="identity" value="{identity.pk}"' in text


def test_removing_an_identity_is_a_post_with_csrf_and_a_security_event(world: World) -> None:
    """ASVS 4.0.3 V2.5.x / V7.1.3: the user removes a link; audited; CSRF-protected."""
    user = world.professional.user
    identity = _identity(user)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert (
        strict.post(
            "/account/beveiliging/inlogdienst-verwijderen/", {"identity": identity.pk}
        ).status_code
        == 403
    )
    client = client_for(user)
    assert client.get("/account/beveiliging/inlogdienst-verwijderen/").status_code == 405
    response = client.post(
        "/account/beveiliging/inlogdienst-verwijderen/", {"identity": identity.pk}
    )
    assert response.status_code == 302
    assert not SsoIdentity.objects.filter(pk=identity.pk).exists()
    [event] = _security_events("sso.unlinked")
    assert (event.actor, event.data["provider"]) == (user, "mijnseu")
    [mail] = OutboxMessage.objects.filter(template="sso_unlinked")
    assert mail.recipients == [user.email]


def test_nobody_removes_another_accounts_identity(world: World) -> None:
    identity = _identity(world.other_professional.user)
    response = client_for(world.professional.user).post(
        "/account/beveiliging/inlogdienst-verwijderen/", {"identity": identity.pk}
    )
    assert response.status_code == 400
    assert SsoIdentity.objects.filter(pk=identity.pk).exists()


@pytest.mark.parametrize("value", ["", "abc", "1" * 30, "-1"])
def test_garbage_identity_is_a_clear_400(world: World, value: str) -> None:
    response = client_for(world.professional.user).post(
        "/account/beveiliging/inlogdienst-verwijderen/", {"identity": value}
    )
    assert response.status_code == 400


def test_the_last_way_to_log_in_cannot_be_removed(world: World) -> None:
    """ASVS 4.0.3 V2.5.x: an account without a usable password keeps its only SSO link."""
    user = world.professional.user
    user.set_unusable_password()
    user.save()
    identity = _identity(user)
    client = Client()
    client.force_login(user)
    response = client.post(
        "/account/beveiliging/inlogdienst-verwijderen/", {"identity": identity.pk}
    )
    assert response.status_code == 400
    assert "enige manier" in response.content.decode()
    assert SsoIdentity.objects.filter(pk=identity.pk).exists()


# --- F7 / F9: the beheerder cannot tell whether an address had an account ----------------------


def _without_csrf(text: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def _normalised(text: str, contact: Contact, email: str) -> str:
    text = text.replace(email, "E").replace(str(contact.code), "C").replace(contact.name, "N")
    return _without_csrf(text)


def _add_and_look(world: World, email: str, name: str, username: str) -> list[str]:
    client = client_for(world.administrator.user)
    response = client.post(
        ADD,
        {
            "kind": "person",
            "name": name,
            "email": email,
            "role": "contact",
            "username": username,
            "language": "nl",
        },
        follow=True,
    )
    assert response.status_code == 200
    contact = Contact.objects.get(organisation=world.organisation, email=email)
    pages = [next(str(m) for m in response.context["messages"]).replace(name, "N")]
    for url in (
        f"/werkgever/beheerders/{contact.code}/",
        f"/werkgever/beheerders/{contact.code}/overdragen/",
    ):
        pages.append(_normalised(client.get(url).content.decode(), contact, email))
    answer = client.post(f"/werkgever/beheerders/{contact.code}/overdragen/")
    pages.append(str(answer.status_code))
    pages.append(_normalised(answer.content.decode(), contact, email))
    listing = client.get("/werkgever/beheerders/").content.decode()
    row = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(name)}.*?</tr>", listing, re.S)
    assert row is not None
    pages.append(_normalised(row.group(0), contact, email))
    return pages


def test_adding_an_existing_account_looks_exactly_like_adding_a_new_one(world: World) -> None:
    """ASVS 4.0.3 V2.5.x / V3 (account enumeration): the answer when adding, the contact page,
    the handover page and its answer, and the list are identical whether the e-mail address
    already had an account; only the mail the person receives differs."""
    existing = _add_and_look(world, world.other_professional.user.email, "Eerste Persoon", "eerste")
    new = _add_and_look(world, "nieuw-adres@example.nl", "Tweede Persoon", "tweede")
    assert existing == new
    assert existing[3] == "400"  # neither has taken the role into use: no handover yet
    assert world.other_professional.user.username not in "".join(existing)


def test_a_username_that_is_taken_looks_like_any_other(world: World) -> None:
    """The username variant made for a new account never shows to the beheerder."""
    taken = _add_and_look(world, "een@example.nl", "Derde Persoon", world.staff.username)
    free = _add_and_look(world, "twee@example.nl", "Vierde Persoon", "nog-vrij-123")
    assert taken == free


# --- F5: resending an expired or declined offer --------------------------------------------------


def _resend(world: World, contact: Contact) -> object:
    return client_for(world.administrator.user).post(
        f"/werkgever/beheerders/{contact.code}/opnieuw-versturen/"
    )


def test_a_declined_offer_can_be_sent_again_with_a_fresh_link(world: World) -> None:
    person = world.other_professional.user
    contact, old_url = offer_role(world, person)
    assert (
        client_for(world.other_professional.user).post(old_url, {"answer": "decline"}).status_code
        == 200
    )
    response = _resend(world, contact)
    assert response.status_code == 302  # type: ignore[attr-defined]
    mails = OutboxMessage.objects.filter(template="role_offered").order_by("id")
    assert mails.count() == 2
    new_url = offer_path(mails.last())  # type: ignore[arg-type]
    assert new_url != old_url
    assert client_for(world.other_professional.user).get(old_url).status_code in (404, 410)
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.PENDING
    assert (
        client_for(world.other_professional.user).post(new_url, {"answer": "accept"}).status_code
        == 200
    )
    contact.refresh_from_db()
    assert (contact.offer, contact.active) == (Contact.Offer.ACCEPTED, True)
    [event] = AuditEvent.objects.filter(action="contact.role_offer_resent")
    assert (event.actor, event.contact) == (world.administrator.user, contact)


def test_an_expired_offer_can_be_sent_again(world: World) -> None:
    contact, old_url = offer_role(world, world.other_professional.user)
    SetPasswordToken.objects.filter(subject=str(contact.code)).update(
        expires_at=clock.now() - dt.timedelta(minutes=1)
    )
    assert client_for(world.other_professional.user).get(old_url).status_code == 410
    detail = client_for(world.administrator.user).get(f"/werkgever/beheerders/{contact.code}/")
    assert "opnieuw versturen" in detail.content.decode()
    assert _resend(world, contact).status_code == 302  # type: ignore[attr-defined]
    new_url = offer_path(OutboxMessage.objects.filter(template="role_offered").latest("id"))
    assert client_for(world.other_professional.user).get(new_url).status_code == 200


def test_a_pending_offer_sent_again_kills_the_old_link(world: World) -> None:
    contact, old_url = offer_role(world, world.other_professional.user)
    assert _resend(world, contact).status_code == 302  # type: ignore[attr-defined]
    assert client_for(world.other_professional.user).get(old_url).status_code == 410
    new_url = offer_path(OutboxMessage.objects.filter(template="role_offered").latest("id"))
    assert (
        client_for(world.other_professional.user).post(new_url, {"answer": "accept"}).status_code
        == 200
    )


def test_a_new_accounts_invitation_is_sent_again_the_same_way(world: World) -> None:
    """The same button and answer for a new account: it gets a fresh set-password link."""
    contact = services.add_contact(
        actor=world.administrator.user,
        organisation=world.organisation,
        kind="person",
        name="Nieuw Iemand",
        email="nieuw-iemand@example.nl",
        role=Contact.Role.CONTACT,
        username="nieuw-iemand",
    )
    first = OutboxMessage.objects.get(template="contact_added")
    assert _resend(world, contact).status_code == 302  # type: ignore[attr-defined]
    second = OutboxMessage.objects.filter(template="contact_added").latest("id")
    assert second.pk != first.pk
    assert second.recipients == ["nieuw-iemand@example.nl"]
    assert (
        SetPasswordToken.objects.filter(
            user=contact.user, used_at__isnull=True, expires_at__gt=clock.now()
        ).count()
        == 1
    )


def test_resending_is_rate_limited(world: World) -> None:
    contact, _ = offer_role(world, world.other_professional.user)
    answers = [_resend(world, contact).status_code for _ in range(5)]  # type: ignore[attr-defined]
    assert answers[:3] == [302, 302, 302]
    assert answers[3:] == [429, 429]
    assert OutboxMessage.objects.filter(template="role_offered").count() == 4


def test_only_the_organisations_manager_resends(world: World) -> None:
    contact, _ = offer_role(world, world.other_professional.user)
    other = client_for(world.other_org_admin.user)
    assert other.post(f"/werkgever/beheerders/{contact.code}/opnieuw-versturen/").status_code == 404
    with pytest.raises(Refused):
        services.resend_invitation(actor=world.contact_live.user, contact=contact)


def test_a_contact_in_use_has_nothing_to_resend(world: World) -> None:
    response = _resend(world, world.contact_live)
    assert response.status_code == 400  # type: ignore[attr-defined]


# --- F8: an account request from an address with an account links to it ------------------------


def _request(email: str, kvk: str, username: str) -> object:
    return Client().post(
        "/account/aanvragen/",
        {
            "name": "Nieuwe Werkgever BV",
            "kvk_number": kvk,
            "street": "Straat 1",
            "postcode": "1234 AB",
            "city": "Utrecht",
            "phone": "030-1234567",
            "email": "info@nieuw.example",
            "requester_name": "Aanvrager",
            "requester_email": email,
            "username": username,
        },
        follow=True,
    )


def test_an_account_request_from_an_existing_account_makes_no_second_account(
    world: World,
) -> None:
    """One person, one account; ASVS 4.0.3 V2.5.x: the page says the same either way."""
    person = world.other_professional.user
    users_before = User.objects.count()
    existing = _request(person.email, "12345678", "aanvrager-a")
    assert User.objects.count() == users_before
    organisation = Organisation.objects.get(kvk_number="12345678")
    beheerder = organisation.contacts.get()
    assert beheerder.user == person
    assert beheerder.offer == Contact.Offer.PENDING
    mail = OutboxMessage.objects.get(template="role_offered")
    assert mail.recipients == [person.email]
    assert mail.context["requested"] is True
    new = _request("iemand-nieuw@example.nl", "87654329", "aanvrager-b")
    assert User.objects.count() == users_before + 1
    assert existing.status_code == new.status_code == 200  # type: ignore[attr-defined]
    assert _without_csrf(existing.content.decode()) == _without_csrf(new.content.decode())  # type: ignore[attr-defined]
    # Accepting makes the person the beheerder of the requested organisation, one login.
    assert (
        client_for(world.other_professional.user)
        .post(offer_path(mail), {"answer": "accept"})
        .status_code
        == 200
    )
    beheerder.refresh_from_db()
    assert beheerder.accepted
    assert contact_key(beheerder) in [
        c.key for c in roles_of(User.objects.get(pk=person.pk)).choices
    ]


def test_declining_a_requested_beheerder_role_keeps_the_constraint(world: World) -> None:
    person = world.other_professional.user
    _request(person.email, "12345678", "aanvrager-a")
    mail = OutboxMessage.objects.get(template="role_offered")
    assert (
        client_for(world.other_professional.user)
        .post(offer_path(mail), {"answer": "decline"})
        .status_code
        == 200
    )
    beheerder = Organisation.objects.get(kvk_number="12345678").contacts.get()
    assert beheerder.offer == Contact.Offer.DECLINED
    assert not roles_of(User.objects.get(pk=person.pk)).manages_any_organisation


def test_switch_role_session_key_unchanged(world: World) -> None:
    client = world.client("dual_as_professional")
    client.post("/account/rol-wisselen/", {"role": contact_key(world.dual_contact)})
    assert client.session[SESSION_ROLE] == contact_key(world.dual_contact)

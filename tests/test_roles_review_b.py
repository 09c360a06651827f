"""Issue 18, second review (review 18b, F1-F10): NUL bytes in typed values, the role offer's
dead ends and its link, and the SSO identity's sessions. Security tests name the OWASP ASVS
4.0.3 item they prove. Run the NUL cases on PostgreSQL too: SQLite accepts the byte."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client

from peregister.accounts.models import SetPasswordToken, SsoIdentity, User
from peregister.accounts.services import mail_set_password_link
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.notifications.mail import render_mail, resend
from peregister.notifications.models import OutboxMessage
from peregister.organisations import services
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for
from tests.factories import PASSWORD
from tests.role_offers import offer_path, offer_role
from tests.test_roles_review import _request

SWITCH = "/account/rol-wisselen/"
SECURITY_LIST = "/register/beveiliging/"


def _latest_offer() -> str:
    return offer_path(OutboxMessage.objects.filter(template="role_offered").latest("id"))


def _resend(world: World, contact: Contact) -> int:
    response = client_for(world.administrator.user).post(
        f"/werkgever/beheerders/{contact.code}/opnieuw-versturen/"
    )
    return int(response.status_code)


# --- F1: typed text in audit data -------------------------------------------------------------


@pytest.mark.parametrize("forged", ["x\x00", "professional\x00", "\x00" * 70])
def test_a_forged_role_switch_with_a_nul_byte_is_refused_and_recorded(
    world: World, forged: str
) -> None:
    """ASVS 4.0.3 V5.1.3 / V7.1.3: a NUL byte in the switcher's POST is a 400 (not a 500 on
    PostgreSQL), and the forged switch is still a security event, the byte written escaped."""
    client = world.client("two_orgs_as_brug")
    assert client.post(SWITCH, {"role": forged}).status_code == 400
    [event] = AuditEvent.objects.filter(action="account.role_switch_refused")
    assert event.actor == world.two_orgs_at_brug.user
    assert "\x00" not in event.data["requested"]
    assert event.data["requested"].startswith(forged[:1].replace("\x00", "\\x00"))
    page = client_for(world.staff).get(SECURITY_LIST, {"soort": "account.role_switch_refused"})
    assert world.two_orgs_at_brug.user.username in page.content.decode()


def test_record_stores_any_typed_text(world: World) -> None:
    """One place for every audit event: NUL, other control characters and lone surrogates in
    the data are stored escaped (PostgreSQL refuses them in JSON); tab and newline stay."""
    from django.db import transaction

    with transaction.atomic():
        event = record(
            "test.typed",
            actor=None,
            value="a\x00b\x1bc\ud800",
            nested={"k\x00": ["x\x00", ("line\nnext\ttab",)]},
        )
    event.refresh_from_db()
    assert event.data["value"] == "a\\x00b\\x1bc\\ud800"
    assert event.data["nested"] == {"k\\x00": ["x\\x00", ["line\nnext\ttab"]]}


# --- F2: NUL in the login ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [("a\x00b", "x"), ("registerstaff\x00", PASSWORD), ("gewoon", "x\x00")],
)
def test_a_nul_byte_in_the_login_is_an_ordinary_failed_login(
    world: World, username: str, password: str
) -> None:
    """ASVS 4.0.3 V5.1.3 / V5.1.4 / V2.2.1: a NUL byte in the username or password answers
    like any wrong password (400, the same message), and the attempt is counted."""
    response = Client().post("/account/inloggen/", {"username": username, "password": password})
    assert response.status_code == 400
    text = response.content.decode()
    assert "De combinatie van gebruikersnaam en wachtwoord is onjuist." in text
    assert "_auth_user_id" not in response.client.session
    assert AuditEvent.objects.filter(action="login.failed").count() == 1


# --- F3: asking again after a declined or expired beheerder offer -----------------------------


def _requested_offer(world: World) -> tuple[User, Organisation]:
    person = world.other_professional.user
    assert person is not None
    _request(person.email, "12345678", "aanvrager-a")
    return person, Organisation.objects.get(kvk_number="12345678")


def test_asking_again_after_declining_sends_a_fresh_offer(world: World) -> None:
    """The request page promises a mail: asking again after a decline keeps that promise."""
    person, organisation = _requested_offer(world)
    first = _latest_offer()
    assert client_for(person).post(first, {"answer": "decline"}).status_code == 200
    page = _request(person.email, "12345678", "aanvrager-a")
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert Organisation.objects.filter(kvk_number="12345678").count() == 1
    assert OutboxMessage.objects.filter(template="role_offered").count() == 2
    second = _latest_offer()
    assert second != first
    beheerder = organisation.contacts.get()
    assert beheerder.offer == Contact.Offer.PENDING
    assert client_for(person).post(second, {"answer": "accept"}).status_code == 200
    beheerder.refresh_from_db()
    assert (beheerder.offer, beheerder.active) == (Contact.Offer.ACCEPTED, True)


def test_asking_again_after_the_link_expired_sends_a_fresh_offer(world: World) -> None:
    person, _organisation = _requested_offer(world)
    first = _latest_offer()
    SetPasswordToken.objects.filter(user=person).update(
        expires_at=clock.now() - dt.timedelta(minutes=1)
    )
    assert client_for(person).get(first).status_code == 410
    _request(person.email, "12345678", "aanvrager-a")
    second = _latest_offer()
    assert second != first
    assert client_for(person).get(second).status_code == 200


def test_asking_again_for_a_new_account_sends_a_fresh_set_password_link(world: World) -> None:
    """The same for an address without an account: the page is the same for both kinds."""
    _request("nieuw-aanvrager@example.nl", "12345678", "aanvrager-b")
    SetPasswordToken.objects.update(expires_at=clock.now())
    _request("nieuw-aanvrager@example.nl", "12345678", "aanvrager-b")
    assert OutboxMessage.objects.filter(template="account_created").count() == 2
    assert Organisation.objects.filter(kvk_number="12345678").count() == 1


def test_a_double_submission_sends_nothing_new_while_the_link_is_live(world: World) -> None:
    person, _organisation = _requested_offer(world)
    first = _latest_offer()
    _request(person.email, "12345678", "aanvrager-a")
    assert OutboxMessage.objects.filter(template="role_offered").count() == 1
    assert client_for(person).get(first).status_code == 200


def test_asking_again_is_rate_limited_per_person(world: World) -> None:
    """ASVS 4.0.3 V11.1.4: the public form cannot flood one mailbox with offers."""
    person, _organisation = _requested_offer(world)
    for _ in range(5):
        SetPasswordToken.objects.filter(user=person).update(expires_at=clock.now())
        _request(person.email, "12345678", "aanvrager-a")
    sent = OutboxMessage.objects.filter(template="role_offered").count()
    assert sent == 1 + services.RESENDS_PER_HOUR


# --- F4: the mail state the beheerder sees is the invitation's own ----------------------------


def test_the_beheerder_sees_only_the_state_of_the_invitation_it_sent(world: World) -> None:
    """ASVS 4.0.3 V2.5.x / V8.3.x: an account's earlier mail from the register (another role)
    never shows on the organisation's contact page; each contact's invitation has its own
    topic, and after accepting, the page of an existing account looks like a new one's."""
    from django.db import transaction

    person = factories.UserFactory(email="zonderww@example.nl")
    person.set_unusable_password()
    person.save()
    with transaction.atomic():
        mail_set_password_link(user=person, template="contact_added", organisation="Elders")
    OutboxMessage.objects.filter(topic=f"set-password:{person.pk}").update(state="failed")
    contact, url = offer_role(world, person)
    assert services.invitation_topic(contact) == f"invitation:{contact.pk}"
    person.set_password(PASSWORD)
    person.save()
    assert client_for(person).post(url, {"answer": "accept"}).status_code == 200
    person.set_unusable_password()
    person.save()
    page = client_for(world.administrator.user).get(f"/werkgever/beheerders/{contact.code}/")
    assert "kon niet worden afgeleverd" not in page.content.decode()
    mails = OutboxMessage.objects.filter(topic=services.invitation_topic(contact))
    assert [mail.template for mail in mails] == ["role_offered"]


def test_a_failed_invitation_of_its_own_topic_is_sent_again_by_staff_with_a_fresh_link(
    world: World,
) -> None:
    """The invitation's own topic keeps the back-office's *opnieuw versturen* of a failed
    mail working: a fresh link, the old one dead; both kinds of invitation mail."""
    from django.db import transaction

    person = world.other_professional.user
    contact, old_url = offer_role(world, person)
    offer_mail = OutboxMessage.objects.get(topic=services.invitation_topic(contact))
    OutboxMessage.objects.filter(pk=offer_mail.pk).update(state="failed")
    offer_mail.refresh_from_db()
    with transaction.atomic():
        again = resend(offer_mail)
    new_url = offer_path(again)
    assert new_url != old_url
    assert client_for(person).get(old_url).status_code == 410
    assert client_for(person).post(new_url, {"answer": "accept"}).status_code == 200
    # Accepted by an account without a password: the beheerder's resend is a set-password
    # link on the same topic, and staff can send that one again too.
    person.set_unusable_password()
    person.save()
    assert _resend(world, contact) == 302
    link_mail = OutboxMessage.objects.filter(topic=services.invitation_topic(contact)).latest("id")
    assert link_mail.template == "contact_added"
    OutboxMessage.objects.filter(pk=link_mail.pk).update(state="failed")
    link_mail.refresh_from_db()
    old_link = link_mail.context["set_password_url"]
    with transaction.atomic():
        again = resend(link_mail)
    assert again.context["set_password_url"] != old_link


# --- F5: only the invited account, logged in, answers ------------------------------------------


def test_a_link_holder_who_is_not_logged_in_is_asked_to_log_in_first(world: World) -> None:
    """ASVS 4.0.3 V4.1.2 / V2.x: the link alone answers nothing; the visitor logs in as the
    invited account and comes back to the offer."""
    person = world.other_professional.user
    contact, url = offer_role(world, person)
    anonymous = Client()
    for response in (anonymous.get(url), anonymous.post(url, {"answer": "accept"})):
        assert response.status_code == 302
        assert response["Location"] == f"/account/inloggen/?next={quote(url)}"
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.PENDING
    assert not AuditEvent.objects.filter(action="contact.role_accepted").exists()
    with pytest.raises(services.Refused):
        services.answer_role_offer(actor=None, raw_token=url.split("/")[-2], accept=True)
    login = anonymous.post(
        f"/account/inloggen/?next={quote(url)}",
        {"username": person.username, "password": PASSWORD},
    )
    assert login.status_code == 302
    assert login["Location"] == url
    assert anonymous.get(url).status_code == 200
    assert anonymous.post(url, {"answer": "accept"}).status_code == 200
    contact.refresh_from_db()
    assert contact.offer == Contact.Offer.ACCEPTED
    [event] = AuditEvent.objects.filter(action="contact.role_accepted")
    assert event.actor == person


def test_the_wrong_account_is_recorded_on_its_answer_not_on_opening(world: World) -> None:
    """ASVS 4.0.3 V7.1.3: a cross-site image of the link puts nobody in the security events;
    an answer by another account does, once per attempt."""
    contact, url = offer_role(world, world.other_professional.user)
    intruder = client_for(world.professional.user)
    page = intruder.get(url)
    assert page.status_code == 403
    text = page.content.decode()
    assert "Log uit en log in met het account waaraan de rol is aangeboden" in text
    assert "Uitloggen en inloggen met dat account" in text
    assert not AuditEvent.objects.filter(action="contact.role_offer_wrong_account").exists()
    assert intruder.post(url, {"answer": "accept"}).status_code == 403
    [event] = AuditEvent.objects.filter(action="contact.role_offer_wrong_account")
    assert (event.actor, event.contact) == (world.professional.user, contact)


# --- F6: a declined role is not offered without end ---------------------------------------------


def test_a_declined_role_is_offered_again_once_and_stays_inactive_until_accepted(
    world: World,
) -> None:
    """ASVS 4.0.3 V11.1.4: a person who said no twice is not mailed the role again."""
    person = world.other_professional.user
    contact, url = offer_role(world, person)
    assert client_for(person).post(url, {"answer": "decline"}).status_code == 200
    assert _resend(world, contact) == 302
    contact.refresh_from_db()
    assert (contact.offer, contact.active) == (Contact.Offer.PENDING, False)
    assert client_for(person).post(_latest_offer(), {"answer": "decline"}).status_code == 200
    detail = client_for(world.administrator.user).get(f"/werkgever/beheerders/{contact.code}/")
    text = detail.content.decode()
    assert "opnieuw versturen" not in text
    assert "twee keer afgewezen" in text
    mails = OutboxMessage.objects.filter(template="role_offered").count()
    assert _resend(world, contact) == 400
    assert OutboxMessage.objects.filter(template="role_offered").count() == mails
    contact.refresh_from_db()
    assert (contact.offer, contact.active) == (Contact.Offer.DECLINED, False)


# --- F7: the offer mail of an account request does not claim the reader asked ------------------


def test_the_offer_mail_of_a_request_does_not_say_the_reader_asked(world: World) -> None:
    """Anyone can type any address on the public request form: the mail says the address was
    used, and what to do if that was not the reader."""
    _requested_offer(world)
    mail = OutboxMessage.objects.get(template="role_offered")
    rendered = {
        language: render_mail(mail.template, mail.context, language) for language in ("nl", "en")
    }
    dutch, english = rendered["nl"], rendered["en"]
    dutch_html = str(dutch.alternatives[0][0])
    assert "U heeft voor" not in str(dutch.body)
    assert "Met uw e-mailadres is voor Nieuwe Werkgever BV een account aangevraagd" in dutch.body
    assert "Heeft u dit niet zelf gedaan?" in dutch.body
    assert "Heeft u dit niet zelf gedaan?" in dutch_html
    assert "Your e-mail address was used to request an account" in english.body
    assert "Did you not do this yourself?" in english.body


# --- F8: removing an SSO identity ends its sessions ---------------------------------------------


def test_removing_an_identity_ends_the_other_sessions(world: World) -> None:
    """ASVS 4.0.3 V3.3.x (as V2.2.3): a link removed because it was not one's own also ends
    the sessions opened through it; the session that removed it stays."""
    user = world.professional.user
    identity = SsoIdentity.objects.create(
        user=user, provider="mijnseu", subject="s-1", linked_at=clock.now()
    )
    other_device = client_for(user)
    here = client_for(user)
    response = here.post(
        "/account/beveiliging/inlogdienst-verwijderen/", {"identity": identity.pk}, follow=True
    )
    assert response.status_code == 200
    assert "op alle andere apparaten uitgelogd" in response.content.decode()
    assert here.get("/account/beveiliging/").status_code == 200
    assert other_device.get("/account/beveiliging/").status_code == 302


# --- F10: answering an offer leaves security events ---------------------------------------------


def test_role_answers_appear_in_the_security_list(world: World) -> None:
    """ASVS 4.0.3 V7.1.3: accepting and declining a role are recorded and listed for staff."""
    accepter = world.other_professional.user
    factories.UserFactory(email="weigeraar@example.nl", username="weigeraar")
    decliner = User.objects.get(username="weigeraar")
    _contact, url = offer_role(world, accepter)
    assert client_for(accepter).post(url, {"answer": "accept"}).status_code == 200
    _declined, url = offer_role(world, decliner)
    assert client_for(decliner).post(url, {"answer": "decline"}).status_code == 200
    staff = client_for(world.staff)
    accepted = staff.get(SECURITY_LIST, {"soort": "contact.role_accepted"}).content.decode()
    declined = staff.get(SECURITY_LIST, {"soort": "contact.role_declined"}).content.decode()
    assert accepter.username in accepted
    assert decliner.username not in accepted
    assert decliner.username in declined
    assert accepter.username not in declined

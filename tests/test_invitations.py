"""Inviting professionals (issue 14): a set-password e-mail sent by the task worker, audited.

OWASP ASVS 4.0.3 V2.5.4/V2.5.6: the link is single use and expiring (``accounts.tokens``); a
new invitation makes the earlier link stop working.
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.core import mail
from django.test import Client

from peregister.accounts import tokens
from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.backoffice.invitations import invite_professional
from peregister.backoffice.models import InvitationRun
from peregister.core.refusals import Refused
from peregister.notifications.models import OutboxMessage
from peregister.registry.models import Professional
from tests import factories
from tests.conftest import World, client_for

NEW_PASSWORD = "Zomer-avond-2026!"


def newcomer(**kwargs: Any) -> Professional:
    defaults: dict[str, Any] = {
        "user": None,
        "registration_number": "0042001",
        "initials": "A.",
        "last_name": "Nieuw",
        "email": "a.nieuw@example.nl",
    }
    professional = cast(Professional, factories.ProfessionalFactory(**{**defaults, **kwargs}))
    factories.PePeriodFactory(registration=factories.RegistrationFactory(professional=professional))
    return professional


def invite_path(professional: Professional) -> str:
    return f"/register/professionals/{professional.code}/uitnodigen/"


def link_in(message: Any) -> str:
    found = re.search(r"/account/wachtwoord-instellen/([A-Za-z0-9_-]{43})/", str(message.body))
    assert found
    return found.group(1)


def test_invitation_is_sent_by_the_worker_not_in_the_request(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = newcomer()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(world.staff).post(invite_path(professional))
    assert response.status_code == 302
    # The request only queued the run: no account, no mail yet.
    run = InvitationRun.objects.get()
    assert run.state == InvitationRun.State.QUEUED
    assert not OutboxMessage.objects.exists()
    assert Professional.objects.get(pk=professional.pk).user is None
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    run.refresh_from_db()
    assert (run.state, run.sent, run.skipped) == (InvitationRun.State.DONE, 1, 0)
    professional.refresh_from_db()
    assert professional.invited_at is not None
    user = professional.user
    assert user is not None
    assert user.username == "0042001"
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["a.nieuw@example.nl"]
    assert "0042001" in str(message.body)
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATIONS_SENT)
    assert event.actor == world.staff
    assert list(event.professionals.all()) == [professional]


def test_the_invited_professional_sets_a_password_once_and_logs_in(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = newcomer()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.staff).post(invite_path(professional))
    raw = link_in(mail.outbox[0])
    path = f"/account/wachtwoord-instellen/{raw}/"
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert Client().post(path, data).status_code == 302
    assert Client().post(path, data).status_code == 410  # single use
    client = Client()
    assert client.login(username="0042001", password=NEW_PASSWORD)
    assert "0042001" in client.get("/mijn/dossier/").content.decode()


def test_resend_makes_the_earlier_link_stop_working(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = newcomer()
    client = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_path(professional))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(invite_path(professional)).status_code == 302
    first, second = (link_in(message) for message in mail.outbox)
    assert tokens.inspect(first).state is tokens.TokenState.EXPIRED
    assert tokens.inspect(second).state is tokens.TokenState.VALID
    assert User.objects.filter(username__startswith="0042001").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INVITATIONS_SENT).count() == 2


def test_staff_page_shows_the_invitation_and_offers_resend(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = newcomer()
    client = client_for(world.staff)
    page = client.get(f"/register/professionals/{professional.code}/").content.decode()
    assert "nog geen account" in page
    assert ">Uitnodigen<" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_path(professional))
    page = client.get(f"/register/professionals/{professional.code}/").content.decode()
    assert "0042001" in page
    assert "Uitnodiging opnieuw versturen" in page


def test_a_taken_username_gets_a_suffix(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    factories.UserFactory(username="0042001")
    professional = newcomer()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.staff).post(invite_path(professional))
    professional.refresh_from_db()
    assert professional.user is not None
    assert professional.user.username == "0042001-2"


def test_a_short_number_gets_a_prefix(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = newcomer(registration_number="7")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.staff).post(invite_path(professional))
    professional.refresh_from_db()
    assert professional.user is not None
    assert professional.user.username == "pe-7"


def test_someone_with_a_password_is_not_invited(world: World) -> None:
    response = client_for(world.staff).post(invite_path(world.professional))
    assert response.status_code == 409
    assert "Inloggegevens vergeten" in response.content.decode()
    assert not InvitationRun.objects.exists()


def test_no_address_no_invitation(world: World) -> None:
    professional = newcomer(email="")
    response = client_for(world.staff).post(invite_path(professional))
    assert response.status_code == 400
    assert "geen e-mailadres" in response.content.decode()
    assert not InvitationRun.objects.exists()


def test_only_staff_may_invite(world: World) -> None:
    professional = newcomer()
    with pytest.raises(Refused):
        invite_professional(actor=world.administrator.user, professional=professional)
    assert not InvitationRun.objects.exists()


def test_a_double_click_on_invite_queues_one_invitation(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = newcomer()
    client = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(invite_path(professional))
        client.post(invite_path(professional))
    assert InvitationRun.objects.count() == 1
    assert len(callbacks) == 1


def test_an_ended_professional_is_not_invited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Review F4: an ended registration gets no invitation, one by one or with an import."""
    from peregister.registry.models import Registration

    professional = newcomer()
    professional.registrations.update(status=Registration.Status.ENDED)
    with pytest.raises(Refused, match="beëindigd"):
        invite_professional(actor=world.staff, professional=professional)
    page = client_for(world.staff).get(f"/register/professionals/{professional.code}/")
    assert ">Uitnodigen<" not in page.content.decode()
    assert not InvitationRun.objects.exists()


def test_a_switched_off_account_is_not_invited(world: World) -> None:
    """Review F13: the link would not work for an inactive account: refused, with the reason."""
    professional = newcomer(user=factories.UserFactory(is_active=False))
    with pytest.raises(Refused, match="uitgeschakeld"):
        invite_professional(actor=world.staff, professional=professional)


def test_a_corrected_address_reaches_an_account_never_used(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Review F2: after a typo is corrected, recovery mail goes to the corrected address, not
    the typo (the account has no password yet, so the register's address is its address)."""
    professional = newcomer(email="typo@exampel.nl")
    client = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite_path(professional))
    professional.refresh_from_db()
    assert professional.user is not None
    assert professional.user.email == "typo@exampel.nl"
    edit = client.post(
        f"/register/professionals/{professional.code}/wijzigen/",
        {"initials": "A.", "name_prefix": "", "last_name": "Nieuw", "email": "right@example.nl"},
    )
    assert edit.status_code == 302
    professional.user.refresh_from_db()
    assert professional.user.email == "right@example.nl"

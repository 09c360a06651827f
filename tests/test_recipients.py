"""Where and in which language a professional is mailed: one rule (``mail_recipient``) for
every mail to them, the renewal confirmation and the grant reminder included."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core import mail
from django.utils import translation

from peregister.registry.models import Professional
from tests import factories
from tests.conftest import World, client_for
from tests.test_renewal_submit import URL as SUBMIT_URL
from tests.test_renewal_submit import earn

pytestmark = pytest.mark.django_db


def _professional(email: str, account: dict[str, Any] | None) -> Professional:
    user = factories.UserFactory(**account) if account is not None else None
    return cast(Professional, factories.ProfessionalFactory(user=user, email=email))


@pytest.mark.parametrize(
    ("own", "account", "address", "language"),
    [
        ("eigen@example.nl", {"email": "account@example.nl", "language": "en"}, "eigen", "en"),
        ("", {"email": "account@example.nl", "language": "en"}, "account", "en"),
        ("eigen@example.nl", None, "eigen", "nl"),
        ("", {"email": ""}, "", "nl"),
        ("", None, "", "nl"),
    ],
)
def test_own_address_first_then_the_accounts_in_the_accounts_language(
    own: str, account: dict[str, Any] | None, address: str, language: str
) -> None:
    professional = _professional(own, account)
    recipient = professional.mail_recipient()
    assert recipient["address"] == (f"{address}@example.nl" if address else "")
    assert recipient["language"] == language
    assert recipient["name"] == professional.full_name


def test_the_renewal_confirmation_follows_the_rule(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # An own address in the register and an English account: there, in English.
    world.professional.email = "eigen@example.nl"
    world.professional.save()
    user = world.professional.user
    user.language = "en"
    user.save()
    earn(world, 12)
    # The page switches the thread's language to the account's: restored afterwards.
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):
        assert client_for(user).post(SUBMIT_URL, {"register": "up"}).status_code == 302
    [message] = mail.outbox
    assert message.to == ["eigen@example.nl"]
    assert message.subject == "Your dossier for Uitzendprofessional has been submitted"

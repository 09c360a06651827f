"""Offering an existing account a contact role, as the tests of issue 18 do it: the beheerder of
the world's organisation adds a contact with the account's e-mail address."""

from __future__ import annotations

import re

from peregister.accounts.models import User
from peregister.notifications.models import OutboxMessage
from peregister.organisations import services
from peregister.organisations.models import Contact
from tests.conftest import World


def offer_path(mail: OutboxMessage) -> str:
    """The path of the accept/decline link in a ``role_offered`` mail."""
    found = re.search(r"/account/rol-bevestigen/[A-Za-z0-9_-]{43}/", mail.context["offer_url"])
    assert found is not None
    return found.group(0)


def offer_role(world: World, user: User, role: str = Contact.Role.CONTACT) -> tuple[Contact, str]:
    """The world's beheerder offers ``user`` a role at De Brug: the contact and its link (from
    the one offer mail this queued)."""
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    contact = services.add_contact(
        actor=world.administrator.user,
        organisation=world.organisation,
        kind="person",
        name="Aangeboden",
        email=user.email,
        role=role,
        username="wat-dan-ook",
    )
    mail = OutboxMessage.objects.exclude(pk__in=before).get(template="role_offered")
    return contact, offer_path(mail)

"""Personas (after healthchecks' hc/test.py): one world that every access test reads from."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from peregister.accounts import mfa
from peregister.accounts.models import User
from peregister.accounts.roles import (
    PROFESSIONAL_KEY,
    ROLE_FIELD,
    ROLE_HEADER,
    SESSION_ROLE,
    contact_key,
)
from peregister.core import clock
from peregister.ops.logs import ContextFilter, JsonFormatter
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import Professional
from tests import factories
from tests.log_scan import find_leaks, suite_passwords
from tests.oidc_fixtures import _running_provider, oidc  # noqa: F401 - fixtures (single sign-on)
from tests.smtp import SmtpCatcher


@dataclass
class World:
    professional: Professional
    other_professional: Professional
    organisation: Organisation
    administrator: Contact
    deputy: Contact
    contact_live: Contact
    contact_expired: Contact
    contact_revoked: Contact
    other_org_admin: Contact
    staff: User
    provider_admin: Contact
    # One person, several roles (issue 18): a professional who is also a contact of De Brug,
    # and a contact of De Brug who is beheerder of a second employer, Flexgroep Noord.
    dual_contact: Contact
    two_orgs_at_brug: Contact
    two_orgs_at_noord: Contact

    def acting(self) -> dict[str, str]:
        """The role each two-role persona acts in (``accounts.roles``), by persona."""
        return {
            "dual_as_professional": PROFESSIONAL_KEY,
            "dual_as_contact": contact_key(self.dual_contact),
            "two_orgs_as_brug": contact_key(self.two_orgs_at_brug),
            "two_orgs_as_noord": contact_key(self.two_orgs_at_noord),
        }

    def personas(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "professional": self.professional.user,
            "contact_live": self.contact_live.user,
            "contact_expired": self.contact_expired.user,
            "contact_revoked": self.contact_revoked.user,
            "other_org_admin": self.other_org_admin.user,
            "deputy": self.deputy.user,
            "administrator": self.administrator.user,
            "staff": self.staff,
            "provider_admin": self.provider_admin.user,
            "dual_as_professional": self.dual_contact.user,
            "dual_as_contact": self.dual_contact.user,
            "two_orgs_as_brug": self.two_orgs_at_brug.user,
            "two_orgs_as_noord": self.two_orgs_at_noord.user,
        }

    def client(self, persona: str) -> Client:
        """A logged-in client of ``persona``, acting in its role."""
        return client_for(self.personas()[persona], self.acting().get(persona))


@pytest.fixture(autouse=True)
def _exports_in_a_temporary_folder(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Data-export files of a test go to its own folder, not to the worktree's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "exports"},
        },
    }


@pytest.fixture
def world(db: None) -> World:
    now = clock.now()
    registration = factories.RegistrationFactory()
    professional = registration.professional
    factories.PePeriodFactory(registration=registration)
    other_professional = factories.ProfessionalFactory()
    organisation = factories.OrganisationFactory(name="Uitzendbureau De Brug")
    administrator = factories.ContactFactory(
        organisation=organisation,
        role=Contact.Role.ADMINISTRATOR,
        name="HR De Brug",
        kind=Contact.Kind.DEPARTMENT,
    )
    deputy = factories.ContactFactory(organisation=organisation, role=Contact.Role.DEPUTY)
    contact_live = factories.ContactFactory(organisation=organisation, name="Regiomanager")
    contact_expired = factories.ContactFactory(organisation=organisation)
    contact_revoked = factories.ContactFactory(organisation=organisation)
    other_org_admin = factories.ContactFactory(role=Contact.Role.ADMINISTRATOR)
    factories.AccessGrantFactory(professional=professional, contact=contact_live)
    factories.AccessGrantFactory(
        professional=professional,
        contact=contact_expired,
        valid_until=clock.today() - dt.timedelta(days=1),
    )
    factories.AccessGrantFactory(
        professional=professional,
        contact=contact_revoked,
        revoked_at=now - dt.timedelta(minutes=5),
    )
    staff = factories.UserFactory(username="registerstaff", is_staff=True)
    provider_admin = factories.ContactFactory(
        organisation=factories.ProviderFactory(name="Opleider Vakwijs"),
        role=Contact.Role.ADMINISTRATOR,
        name="Planning Vakwijs",
    )
    dual_registration = factories.RegistrationFactory(register=registration.register)
    factories.PePeriodFactory(registration=dual_registration)
    dual = dual_registration.professional
    dual_contact = factories.ContactFactory(
        organisation=organisation, user=dual.user, name="Regiomanager Noord-Holland"
    )
    two_orgs_at_brug = factories.ContactFactory(organisation=organisation, name="Regio Oost")
    two_orgs_at_noord = factories.ContactFactory(
        organisation=factories.OrganisationFactory(name="Flexgroep Noord"),
        user=two_orgs_at_brug.user,
        role=Contact.Role.ADMINISTRATOR,
        name="HR Flexgroep Noord",
    )
    return World(
        dual_contact=dual_contact,
        two_orgs_at_brug=two_orgs_at_brug,
        two_orgs_at_noord=two_orgs_at_noord,
        professional=professional,
        other_professional=other_professional,
        organisation=organisation,
        administrator=administrator,
        deputy=deputy,
        contact_live=contact_live,
        contact_expired=contact_expired,
        contact_revoked=contact_revoked,
        other_org_admin=other_org_admin,
        staff=staff,
        provider_admin=provider_admin,
    )


# Django's own force_login, which leaves the session as the real login view would before the
# second step: a privileged user's session then owes it (tests/test_mfa.py).
force_login_without_second_step = Client.force_login
login_without_second_step = Client.login


def mark_second_step_done(client: Client) -> None:
    """The one helper that marks a test client's session as having passed the second factor."""
    session = client.session
    session[mfa.SESSION_VERIFIED] = True
    session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that log a persona in with ``force_login`` or ``Client.login`` are about the page,
    not the login: their session counts as having passed the second factor (through
    ``mark_second_step_done``). Production code has no such shortcut; the real login flow is
    tested in tests/test_mfa.py."""

    def force_login(client: Client, user: Any, backend: str | None = None) -> None:
        force_login_without_second_step(client, user, backend)
        mark_second_step_done(client)

    def login(client: Client, **credentials: Any) -> bool:
        logged_in = login_without_second_step(client, **credentials)
        if logged_in:
            mark_second_step_done(client)
        return logged_in

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


class RoleFormClient(Client):
    """A client whose POSTs are sent from a page rendered in the acting role: like every POST
    form (``{% csrf_token %}``), they carry the key of the role the client was made for, unless
    the test sends its own. A switch through the header does not move it: the client's pages
    stay the ones opened before the switch (a stale tab)."""

    acting_key: str | None = None

    # Forwards Client.post's own arguments unchanged; only the headers gain the role.
    def post(self, path: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # In the header (as the passkey script sends it), so the posted data and its content
        # type stay the test's own.
        if self.acting_key is not None and not (isinstance(data, dict) and ROLE_FIELD in data):
            headers = {ROLE_HEADER: self.acting_key, **(kwargs.pop("headers", None) or {})}
            kwargs["headers"] = headers
        return super().post(path, data, *args, **kwargs)


def client_for(user: User | None, acting: str | None = None) -> Client:
    """A client logged in as ``user``, acting in the role ``acting`` (a ``RoleChoice.key``)
    when given, as the header's role switcher would leave the session; its POSTs carry that
    role's key as the forms do (``RoleFormClient``)."""
    client = RoleFormClient()
    client.acting_key = acting
    if user is not None:
        client.force_login(user)
    if acting is not None:
        session = client.session
        session[SESSION_ROLE] = acting
        session.save()
    return client


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpCatcher]:
    """Django's real SMTP backend against a plain server (no STARTTLS), as a new user's."""
    with SmtpCatcher() as catcher:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = catcher.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        yield catcher


@pytest.fixture(scope="session", autouse=True)
def log_output_has_no_secrets() -> Iterator[None]:
    """Every log line of the run, unmasked, is scanned at the end for passwords, link tokens
    and e-mail addresses (a failure here is reported as an error of the last test)."""
    with tempfile.NamedTemporaryFile("w+", suffix=".log", encoding="utf-8") as output:
        handler = logging.StreamHandler(output)
        handler.addFilter(ContextFilter())
        handler.setFormatter(JsonFormatter(masked=False))
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            yield
        finally:
            root.removeHandler(handler)
        output.seek(0)
        lines = output.read().splitlines()
    leaks = find_leaks(lines, suite_passwords())
    assert not leaks, f"{len(leaks)} log line(s) with personal data or secrets:\n" + "\n".join(
        leaks[:5]
    )

"""Onboarding (public), organisation administration (employer) and the authorisation queue."""

from peregister.accounts import tokens
from peregister.organisations.models import Organisation
from tests import factories
from tests.matrix import Row, expect

_EVERYONE = expect(200, anonymous=200)
# Beheerder and 2e contactpersoon manage their own organisation; other_org_admin manages
# another one, so pages about De Brug's contacts are unknown (404) to it.
# The beheerder of a training provider manages its own organisation and users on the same pages.
_MANAGERS = expect(404, deputy=200, administrator=200, other_org_admin=200, provider_admin=200)
_MANAGERS_OF_DE_BRUG = expect(404, deputy=200, administrator=200)
_CONTACTS = expect(200, professional=404, staff=404)
_STAFF = expect(404, staff=200)


def _requested(w: object) -> str:
    return str(factories.OrganisationFactory(status=Organisation.Status.REQUESTED).code)


def _latest_requested_fingerprint() -> str:
    # The organisation the row's path just made: staff decide on what the page showed.
    return Organisation.objects.filter(status="requested").latest("id").review_fingerprint()


def _suspended(w: object) -> str:
    return str(factories.OrganisationFactory(status=Organisation.Status.SUSPENDED).code)


ROWS = [
    Row("onboarding:request_account", lambda w: "/account/aanvragen/", _EVERYONE),
    Row(
        "onboarding:request_provider_account",
        lambda w: "/account/aanvragen-aanbieder/",
        _EVERYONE,
    ),
    Row("onboarding:request_sent", lambda w: "/account/aanvragen/ontvangen/", _EVERYONE),
    Row(
        "accounts:set_password",
        lambda w: f"/account/wachtwoord-instellen/{tokens.issue_token(w.contact_live.user)}/",
        _EVERYONE,
    ),
    Row("accounts:new_link", lambda w: "/account/nieuwe-link/", _EVERYONE),
    Row("accounts:new_link_sent", lambda w: "/account/nieuwe-link/verstuurd/", _EVERYONE),
    Row("organisations:organisation", lambda w: "/werkgever/organisatie/", _MANAGERS),
    Row("organisations:organisation_edit", lambda w: "/werkgever/organisatie/wijzigen/", _MANAGERS),
    Row("organisations:contacts", lambda w: "/werkgever/beheerders/", _MANAGERS),
    Row("organisations:contact_add", lambda w: "/werkgever/beheerders/toevoegen/", _MANAGERS),
    Row(
        "organisations:contact",
        lambda w: f"/werkgever/beheerders/{w.contact_live.code}/",
        _MANAGERS_OF_DE_BRUG,
    ),
    Row(
        "organisations:contact_role",
        lambda w: f"/werkgever/beheerders/{w.contact_live.code}/rol/",
        expect(404, deputy=302, administrator=302),
        method="post",
        data=lambda w: {"role": "contact"},
    ),
    Row(
        "organisations:contact_active",
        lambda w: f"/werkgever/beheerders/{w.contact_live.code}/actief/",
        expect(404, deputy=302, administrator=302),
        method="post",
        data=lambda w: {"active": "1"},
    ),
    Row(
        # Only the beheerder hands over the role: the 2e contactpersoon has no such page.
        "organisations:contact_handover",
        lambda w: f"/werkgever/beheerders/{w.contact_live.code}/overdragen/",
        expect(404, administrator=200),
    ),
    Row(
        # contact_live took the role into use: nothing to resend (400) for its managers.
        "organisations:contact_resend",
        lambda w: f"/werkgever/beheerders/{w.contact_live.code}/opnieuw-versturen/",
        expect(404, deputy=400, administrator=400),
        method="post",
    ),
    Row("organisations:profile", lambda w: "/werkgever/profiel/", _CONTACTS),
    Row("organisations_staff:queue", lambda w: "/register/organisaties/", _STAFF),
    Row(
        "organisations_staff:detail",
        lambda w: f"/register/organisaties/{w.organisation.code}/",
        _STAFF,
    ),
    Row(
        "organisations_staff:authorise",
        lambda w: f"/register/organisaties/{_requested(w)}/autoriseren/",
        expect(404, staff=302),
        method="post",
        data=lambda w: {"seen": _latest_requested_fingerprint()},
    ),
    Row(
        "organisations_staff:reject",
        lambda w: f"/register/organisaties/{_requested(w)}/afwijzen/",
        expect(404, staff=302),
        method="post",
        data=lambda w: {"reason": "Geen uitzendorganisatie"},
    ),
    Row(
        "organisations_staff:suspend",
        lambda w: f"/register/organisaties/{w.organisation.code}/schorsen/",
        expect(404, staff=302),
        method="post",
    ),
    Row(
        "organisations_staff:reinstate",
        lambda w: f"/register/organisaties/{_suspended(w)}/heropenen/",
        expect(404, staff=302),
        method="post",
    ),
]

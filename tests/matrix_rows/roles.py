"""One person, several roles (issue 18): the header's role switcher and the role-offer link."""

from peregister.accounts import tokens
from peregister.accounts.roles import contact_key
from peregister.organisations.models import Contact
from tests import factories
from tests.conftest import World
from tests.matrix import Row, expect


def _offer_link(world: World) -> str:
    """A fresh role offer of another employer to the world's professional, and its link."""
    contact = factories.ContactFactory(
        user=world.professional.user, offer=Contact.Offer.PENDING, name="Aangeboden rol"
    )
    raw = tokens.issue_token(
        contact.user, purpose=tokens.Purpose.ACCEPT_ROLE, subject=str(contact.code)
    )
    return f"/account/rol-bevestigen/{raw}/"


ROWS = [
    # Only the two persons who hold the Flexgroep Noord role may switch to it; anyone else
    # naming it is refused (400), whatever role they act in.
    Row(
        "accounts:switch_role",
        lambda w: "/account/rol-wisselen/",
        expect(
            400,
            two_orgs_as_brug=302,
            two_orgs_as_noord=302,
        ),
        method="post",
        data=lambda w: {"role": contact_key(w.two_orgs_at_noord)},
    ),
    # The link names the offer; only the offered person, logged in, sees and answers it.
    # Someone not logged in is sent to the login (review 18b F5); another logged-in account
    # is told to log out (review F1).
    Row(
        "onboarding:role_offer",
        _offer_link,
        expect(403, anonymous=302, professional=200, dual_as_professional=403),
    ),
]

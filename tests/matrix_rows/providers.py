"""Training providers' pages (aanbieder) and the register's review of accreditation requests."""

from peregister.registry.models import AccreditationRequest
from tests import factories
from tests.conftest import World
from tests.matrix import Row, expect

ONLY_PROVIDER = expect(404, provider_admin=200)
ONLY_STAFF = expect(404, staff=200)
STAFF_EMPTY_POST = expect(404, staff=400)


def own_request(world: World) -> AccreditationRequest:
    """A submitted request of the world's provider (Opleider Vakwijs)."""
    found = AccreditationRequest.objects.filter(provider=world.provider_admin.organisation).first()
    return found or factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation, submitted_by=world.provider_admin.user
    )


ROWS = [
    Row("providers:requests", lambda w: "/aanbieder/activiteiten/", ONLY_PROVIDER),
    Row("providers:request_add", lambda w: "/aanbieder/activiteiten/aanvragen/", ONLY_PROVIDER),
    Row(
        "providers:request_add",
        lambda w: "/aanbieder/activiteiten/aanvragen/",
        expect(404, provider_admin=400),
        method="post",
    ),
    Row(
        "providers:request",
        lambda w: f"/aanbieder/activiteiten/{own_request(w).code}/",
        ONLY_PROVIDER,
    ),
    Row("backoffice:accreditations", lambda w: "/register/accreditatie/", ONLY_STAFF),
    Row(
        "backoffice:accreditation",
        lambda w: f"/register/accreditatie/{own_request(w).code}/",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:accreditation_recognise",
        lambda w: f"/register/accreditatie/{own_request(w).code}/erkennen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row(
        "backoffice:accreditation_reject",
        lambda w: f"/register/accreditatie/{own_request(w).code}/afwijzen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
]

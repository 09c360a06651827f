"""Issue 16: the HR API (organisation tokens) and the API-tokens pages of an employer."""

import uuid

from peregister.reports import tokens
from peregister.reports.models import OrganisationToken
from tests.conftest import World
from tests.matrix import Row, expect

# Beheerder and 2e contactpersoon manage their own organisation's tokens; the administrator
# of another organisation sees that organisation's (empty) list, never De Brug's tokens.
_MANAGERS = expect(404, deputy=200, administrator=200, other_org_admin=200)
# An empty form: refused with the form again.
_MANAGERS_EMPTY_POST = expect(404, deputy=400, administrator=400, other_org_admin=400)
# The API authenticates by token only: a browser session (any persona) gets 401 JSON; the
# token's own behaviour is in tests/test_hr_api.py.
_API = expect(401, anonymous=401)


def own_token(world: World) -> OrganisationToken:
    return tokens.create_token(actor=world.administrator.user, name="AFAS")[0]


ROWS = [
    Row("reports:api_tokens", lambda w: "/werkgever/api-tokens/", _MANAGERS),
    Row("reports:api_tokens", lambda w: "/werkgever/api-tokens/", _MANAGERS_EMPTY_POST, "post"),
    # De Brug's token: only De Brug's managers may revoke it (others: 404, like unknown).
    Row(
        "reports:api_token_revoke",
        lambda w: f"/werkgever/api-tokens/{own_token(w).code}/intrekken/",
        expect(404, deputy=302, administrator=302),
        method="post",
    ),
    Row("api:list_professionals", lambda w: "/api/v1/organisation/professionals", _API),
    Row(
        "api:get_professional",
        lambda w: f"/api/v1/organisation/professionals/{w.professional.code}",
        _API,
    ),
    Row(
        "api:get_professional", lambda w: f"/api/v1/organisation/professionals/{uuid.uuid4()}", _API
    ),
    Row("api:list_changes", lambda w: "/api/v1/organisation/changes", _API),
]

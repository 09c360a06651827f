"""The professional's own pages: only the professional opens them; everyone else gets 404."""

from peregister.access.models import AccessGrant
from tests.conftest import World
from tests.matrix import Row, expect

ONLY_PROFESSIONAL = expect(404, professional=200)
# The world's professional's own objects (a grant, a statement, an export): another
# professional (dual, acting as professional) finds nothing there.
ONLY_THIS_PROFESSIONAL = expect(404, professional=200, dual_as_professional=404)


def live_grant_code(world: World) -> str:
    return str(AccessGrant.objects.get(contact=world.contact_live).code)


ROWS = [
    Row("registry:my_dossier", lambda w: "/mijn/dossier/", ONLY_PROFESSIONAL),
    # The world's professional has no points yet: the server refuses the submission (400).
    Row(
        "registry:submit_renewal",
        lambda w: "/mijn/dossier/indienen/",
        expect(404, professional=400),
        method="post",
        data=lambda w: {"register": "up"},
    ),
    Row("access:grants", lambda w: "/mijn/inzage-werkgever/", ONLY_PROFESSIONAL),
    Row("access:grant_add", lambda w: "/mijn/inzage-werkgever/toevoegen/", ONLY_PROFESSIONAL),
    Row(
        "access:grant_add_contact",
        lambda w: f"/mijn/inzage-werkgever/toevoegen/{w.organisation.code}/",
        ONLY_PROFESSIONAL,
    ),
    Row(
        "access:grant_add_contact",
        lambda w: f"/mijn/inzage-werkgever/toevoegen/{w.organisation.code}/",
        expect(404, professional=302),
        method="post",
        data=lambda w: {"contact": str(w.deputy.code), "valid_until": ""},
    ),
    Row(
        "access:grant_change",
        lambda w: f"/mijn/inzage-werkgever/{live_grant_code(w)}/wijzigen/",
        ONLY_THIS_PROFESSIONAL,
    ),
    Row(
        "access:grant_revoke",
        lambda w: f"/mijn/inzage-werkgever/{live_grant_code(w)}/intrekken/",
        ONLY_THIS_PROFESSIONAL,
    ),
    Row(
        "access:grant_revoke",
        lambda w: f"/mijn/inzage-werkgever/{live_grant_code(w)}/intrekken/",
        expect(404, professional=302, dual_as_professional=404),
        method="post",
    ),
    Row("access:access_log", lambda w: "/mijn/wie-bekeek-mijn-dossier/", ONLY_PROFESSIONAL),
]

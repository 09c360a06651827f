"""PE-verklaring and Mijn gegevens downloaden: the professional's own pages; the verification
page, the JWKS and the export's JSON Schema are public."""

from __future__ import annotations

from peregister.dataexport.building import build_export
from peregister.dataexport.models import DataExport
from peregister.dataexport.services import request_export
from peregister.statements.models import Statement
from tests.conftest import World
from tests.matrix import Row, expect
from tests.matrix_rows.professional import ONLY_THIS_PROFESSIONAL
from tests.statements_helpers import make_statement

ONLY_PROFESSIONAL = expect(404, professional=200)
EVERYONE = expect(200, anonymous=200)


def statement(world: World) -> tuple[Statement, str]:
    """One statement of the world's professional (made once per world), with its link token."""
    made = getattr(world, "_statement", None)
    if made is None:
        made = make_statement(world.professional.registrations.get())
        world._statement = made  # type: ignore[attr-defined]
    return made


def code(world: World) -> str:
    return str(statement(world)[0].code)


def export(world: World) -> DataExport:
    """A finished data export of the world's professional (made once per world)."""
    made = getattr(world, "_export", None)
    if made is None:
        made = request_export(actor=world.professional.user, professional=world.professional)
        build_export(str(made.code))
        world._export = made  # type: ignore[attr-defined]
    return made


ROWS = [
    Row("statements:list", lambda w: "/mijn/verklaringen/", ONLY_PROFESSIONAL),
    Row("statements:new", lambda w: "/mijn/verklaringen/nieuw/", ONLY_PROFESSIONAL),
    Row(
        "statements:new",
        lambda w: "/mijn/verklaringen/nieuw/",
        expect(404, professional=302),  # made; on to the page that shows the link once
        method="post",
        data=lambda w: {"register": "up", "include_points": "on", "valid_days": "30"},
    ),
    Row(
        "statements:created",
        lambda w: f"/mijn/verklaringen/{code(w)}/gemaakt/",
        ONLY_THIS_PROFESSIONAL,  # without the link in the session: says it was shown once
    ),
    Row(
        "statements:pdf",
        lambda w: f"/mijn/verklaringen/{code(w)}/pdf/",
        ONLY_THIS_PROFESSIONAL,
        method="post",
        data=lambda w: {"token": statement(w)[1]},
    ),
    Row(
        "statements:jwt",
        lambda w: f"/mijn/verklaringen/{code(w)}/verklaring.jwt",
        ONLY_THIS_PROFESSIONAL,
    ),
    Row(
        "statements:withdraw",
        lambda w: f"/mijn/verklaringen/{code(w)}/intrekken/",
        ONLY_THIS_PROFESSIONAL,
    ),
    Row(
        "statements:withdraw",
        lambda w: f"/mijn/verklaringen/{code(w)}/intrekken/",
        expect(404, professional=302, dual_as_professional=404),
        method="post",
    ),
    Row("statements_public:verify", lambda w: f"/verklaring/{statement(w)[1]}/", EVERYONE),
    Row("statements_public:jwks", lambda w: "/.well-known/jwks.json", EVERYONE),
    Row("dataexport:my_data", lambda w: "/mijn/gegevens/", ONLY_PROFESSIONAL),
    Row(
        "dataexport:my_data",
        lambda w: "/mijn/gegevens/",
        expect(404, professional=302),  # asked for; on to its status page
        method="post",
    ),
    Row("dataexport:status", lambda w: f"/mijn/gegevens/{export(w).code}/", ONLY_THIS_PROFESSIONAL),
    Row(
        "dataexport:download",
        lambda w: f"/mijn/gegevens/{export(w).code}/download/",
        ONLY_THIS_PROFESSIONAL,  # the ZIP
    ),
    Row(
        "dataexport_public:schema",
        lambda w: "/schemas/mijn-gegevens-v1.schema.json",
        EVERYONE,
    ),
]

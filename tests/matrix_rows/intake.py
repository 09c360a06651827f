"""Register intake (issue 14): *Professionals* for staff; everyone else 404, anonymous login."""

from tests.conftest import World
from tests.matrix import Row, expect

ONLY_STAFF = expect(404, staff=200)
STAFF_EMPTY_POST = expect(404, staff=400)


def professional_path(world: World, action: str = "") -> str:
    return f"/register/professionals/{world.professional.code}/{action}"


ROWS = [
    Row("backoffice:professionals", lambda w: "/register/professionals/", ONLY_STAFF),
    Row(
        "backoffice:professional_add",
        lambda w: "/register/professionals/toevoegen/",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:professional_add",
        lambda w: "/register/professionals/toevoegen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row("backoffice:professional", lambda w: professional_path(w), ONLY_STAFF),
    Row("backoffice:professional_edit", lambda w: professional_path(w, "wijzigen/"), ONLY_STAFF),
    Row(
        "backoffice:professional_edit",
        lambda w: professional_path(w, "wijzigen/"),
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row(
        "backoffice:registration_end",
        lambda w: professional_path(w, "up/beeindigen/"),
        ONLY_STAFF,
    ),
    Row(
        "backoffice:registration_end",
        lambda w: professional_path(w, "up/beeindigen/"),
        STAFF_EMPTY_POST,
        method="post",
    ),
]

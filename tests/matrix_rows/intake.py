"""Register intake (issue 14): *Professionals* for staff; everyone else 404, anonymous login."""

from peregister.backoffice.models import ImportRun, ProfessionalImport
from peregister.core import clock
from tests.conftest import World
from tests.matrix import Row, expect

ONLY_STAFF = expect(404, staff=200)
EVERYONE = expect(200, anonymous=200)
EVERY_USER = expect(200)
STAFF_EMPTY_POST = expect(404, staff=400)


def professional_path(world: World, action: str = "") -> str:
    return f"/register/professionals/{world.professional.code}/{action}"


def import_path(world: World, action: str = "") -> str:
    found = ProfessionalImport.objects.first() or ProfessionalImport.objects.create(
        created_at=clock.now(), created_by=world.staff, file_name="lijst.csv"
    )
    return f"/register/professionals/importeren/{found.code}/{action}"


def run_path(world: World, action: str = "") -> str:
    found = ImportRun.objects.first() or ImportRun.objects.create(
        created_at=clock.now(),
        created_by=world.staff,
        file_name="groot.csv",
        state=ImportRun.State.CHECKED,
        rows_total=1,
        rows_done=1,
        unchanged=1,
    )
    return f"/register/professionals/importeren/controle/{found.code}/{action}"


ROWS = [
    Row("backoffice:professional_import_run", lambda w: run_path(w), ONLY_STAFF),
    # Nothing to apply in this run: staff get the refusal (409), everyone else 404.
    Row(
        "backoffice:professional_import_run_confirm",
        lambda w: run_path(w, "bevestigen/"),
        expect(404, staff=409),
        method="post",
    ),
    Row(
        "backoffice:professional_import",
        lambda w: "/register/professionals/importeren/",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:professional_import",
        lambda w: "/register/professionals/importeren/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row(
        "backoffice:professional_import_template",
        lambda w: "/register/professionals/importeren/voorbeeld.csv",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:professional_import_confirm",
        lambda w: "/register/professionals/importeren/bevestigen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row("backoffice:professional_import_done", lambda w: import_path(w), ONLY_STAFF),
    Row(
        "backoffice:professional_import_invite",
        lambda w: import_path(w, "uitnodigen/"),
        expect(404, staff=302),
        method="post",
    ),
    Row("accounts:login_details", lambda w: "/account/inloggegevens-vergeten/", EVERYONE),
    # An empty form: the field's message, 400, for anyone.
    Row(
        "accounts:login_details",
        lambda w: "/account/inloggegevens-vergeten/",
        expect(400, anonymous=400),
        method="post",
    ),
    Row(
        "accounts:login_details_sent",
        lambda w: "/account/inloggegevens-vergeten/verstuurd/",
        EVERYONE,
    ),
    Row("accounts:change_password", lambda w: "/account/wachtwoord-wijzigen/", EVERY_USER),
    Row(
        "accounts:change_password",
        lambda w: "/account/wachtwoord-wijzigen/",
        expect(400),
        method="post",
    ),
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
    # The world's professional has a password already: staff are told so (409).
    Row(
        "backoffice:professional_invite",
        lambda w: professional_path(w, "uitnodigen/"),
        expect(404, staff=409),
        method="post",
    ),
    Row(
        "backoffice:registration_end",
        lambda w: professional_path(w, "up/beeindigen/"),
        STAFF_EMPTY_POST,
        method="post",
    ),
]

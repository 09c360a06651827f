"""Register back-office pages: only register staff get them; everyone else 404, anonymous login."""

from peregister.registry.models import LearningActivity
from tests import factories
from tests.conftest import World
from tests.matrix import Row, expect

ONLY_STAFF = expect(404, staff=200)
# Posting an empty form: staff get the form back with messages (400), everyone else 404.
STAFF_EMPTY_POST = expect(404, staff=400)


def activity_code(world: World) -> str:
    activity = LearningActivity.objects.first() or factories.LearningActivityFactory()
    return str(activity.code)


ROWS = [
    Row("backoffice:activities", lambda w: "/register/leeractiviteiten/", ONLY_STAFF),
    Row("backoffice:activity_create", lambda w: "/register/leeractiviteiten/nieuw/", ONLY_STAFF),
    Row(
        "backoffice:activity_create",
        lambda w: "/register/leeractiviteiten/nieuw/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row(
        "backoffice:activity",
        lambda w: f"/register/leeractiviteiten/{activity_code(w)}/",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:activity_edit",
        lambda w: f"/register/leeractiviteiten/{activity_code(w)}/wijzigen/",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:activity_end",
        lambda w: f"/register/leeractiviteiten/{activity_code(w)}/beeindigen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row("backoffice:attendance", lambda w: "/register/presentie/", ONLY_STAFF),
    Row("backoffice:attendance_csv", lambda w: "/register/presentie/csv/", ONLY_STAFF),
    Row(
        "backoffice:attendance_confirm",
        lambda w: "/register/presentie/bevestigen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
]

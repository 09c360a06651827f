"""Register back-office pages: only register staff get them; everyone else 404, anonymous login."""

from tests.matrix import Row, expect

ONLY_STAFF = expect(404, staff=200)
# Posting an empty form: staff get the form back with messages (400), everyone else 404.
STAFF_EMPTY_POST = expect(404, staff=400)

ROWS = [
    Row("backoffice:attendance", lambda w: "/register/presentie/", ONLY_STAFF),
    Row("backoffice:attendance_csv", lambda w: "/register/presentie/csv/", ONLY_STAFF),
    Row(
        "backoffice:attendance_confirm",
        lambda w: "/register/presentie/bevestigen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
]

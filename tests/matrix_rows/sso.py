"""Single sign-on pages (issue 18). The matrix runs without a configured provider: every
provider URL answers 404 to everyone, like any unknown page, and an unknown link too. With a
provider configured the same pages are walked per persona in tests/test_sso.py
(``test_sso_pages_per_persona``)."""

from tests.matrix import Row, expect

NOT_FOUND = expect(404, anonymous=404)

ROWS = [
    Row("accounts:sso_start", lambda w: "/account/inloggen/sso/mijnseu/", NOT_FOUND, "post"),
    Row("accounts:sso_callback", lambda w: "/account/inloggen/sso/mijnseu/terug/", NOT_FOUND),
    Row(
        "accounts:sso_unlinked",
        lambda w: "/account/inloggen/sso/mijnseu/niet-gekoppeld/",
        NOT_FOUND,
    ),
    Row(
        "accounts:sso_link", lambda w: "/account/inloggen/sso/koppelen/" + "a" * 43 + "/", NOT_FOUND
    ),
]

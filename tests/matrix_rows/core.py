from tests.matrix import Row, expect

ROWS = [
    Row("home:home", lambda w: "/", expect(200)),
    Row(
        "accounts:login",
        lambda w: "/account/inloggen/",
        expect(
            200,
            anonymous=200,
            **{
                # A logged-in user is sent on to the start page.
                p: 302
                for p in (
                    "professional",
                    "contact_live",
                    "contact_expired",
                    "contact_revoked",
                    "other_org_admin",
                    "deputy",
                    "provider_admin",
                    "administrator",
                    "staff",
                )
            },
        ),
    ),
    Row("accounts:logout", lambda w: "/account/uitloggen/", expect(302), method="post"),
    Row(
        "set_language",
        lambda w: "/taal/",
        expect(302, anonymous=302),
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
    ),
]

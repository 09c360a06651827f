"""The second factor and the session pages: every logged-in user, for their own account.

Matrix personas log in through the test helper that marks the second step done
(tests/conftest.py); what an unverified session may open is tested in tests/test_mfa.py.
"""

from tests.matrix import Row, expect

ROWS = [
    # Already verified: on to where the user was going.
    Row("accounts:second_step", lambda w: "/account/tweede-stap/", expect(302)),
    Row("accounts:mfa_setup", lambda w: "/account/tweede-stap/instellen/", expect(200)),
    Row(
        "accounts:remove_factor",
        lambda w: "/account/beveiliging/verwijderen/",
        expect(400),
        method="post",
    ),
    # No identity named: refused (tests/test_roles_review.py removes a real one).
    Row(
        "accounts:remove_identity",
        lambda w: "/account/beveiliging/inlogdienst-verwijderen/",
        expect(400),
        method="post",
    ),
    # Codes are shown once, right after they are made; otherwise back to Inlogbeveiliging.
    Row("accounts:recovery_codes", lambda w: "/account/tweede-stap/herstelcodes/", expect(302)),
    Row(
        "accounts:recovery_codes",
        lambda w: "/account/tweede-stap/herstelcodes/",
        expect(302),
        method="post",
    ),
    Row("accounts:security", lambda w: "/account/beveiliging/", expect(200)),
    Row(
        "accounts:passkey_register_options",
        lambda w: "/account/tweede-stap/passkey/registratie-opties/",
        expect(200),
        method="post",
    ),
    # No options asked first, no credential: refused.
    Row(
        "accounts:passkey_register",
        lambda w: "/account/tweede-stap/passkey/registreren/",
        expect(400),
        method="post",
    ),
    Row(
        "accounts:passkey_login_options",
        lambda w: "/account/tweede-stap/passkey/inlog-opties/",
        expect(200),
        method="post",
    ),
    # Already verified: nothing to prove, the answer says where to go.
    Row(
        "accounts:passkey_login",
        lambda w: "/account/tweede-stap/passkey/inloggen/",
        expect(200),
        method="post",
    ),
    Row(
        "accounts:logout_everywhere",
        lambda w: "/account/uitloggen-alle-apparaten/",
        expect(302),
        method="post",
    ),
]

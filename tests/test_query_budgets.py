"""Query budgets per page and persona: a change that adds a query to a page fails here.

Every GET row of the permission matrix that answers 200 is requested twice as each persona
(the second request measured). The budgets are the counts after the architecture step of
issue 10; the comment on each line is the count before it (roles loaded with the user, the
report scope resolved once). Lower a budget when a page gets cheaper; never raise one
without saying why in the commit.

Issue 18 raised every logged-in page's budget by exactly one: a person may be a contact of
several organisations, so the user's contacts (with their organisations) arrive in a second
query next to the user (``accounts.backends``), still constant per page.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.matrix import PERSONAS, TWINS, all_rows

BUDGETS = {
    "access:access_log professional": 4,  # main: 5
    "access:grant_add professional": 5,  # main: 6
    "access:grant_add_contact professional": 7,  # main: 8
    "access:grant_change professional": 4,  # main: 5
    "access:grant_revoke professional": 4,  # main: 5
    "access:grants professional": 5,  # main: 6
    "accounts:mfa_setup administrator": 3,  # issue 13: session, user
    "accounts:mfa_setup contact_expired": 3,  # issue 13: session, user
    "accounts:mfa_setup contact_live": 3,  # issue 13: session, user
    "accounts:mfa_setup contact_revoked": 3,  # issue 13: session, user
    "accounts:mfa_setup deputy": 3,  # issue 13: session, user
    "accounts:mfa_setup other_org_admin": 3,  # issue 13: session, user
    "accounts:mfa_setup professional": 3,  # issue 13: session, user
    "accounts:mfa_setup staff": 3,  # issue 13: session, user
    "accounts:mfa_setup provider_admin": 3,  # issue 13: session, user
    "accounts:security administrator": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security contact_expired": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security contact_live": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security contact_revoked": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security deputy": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security other_org_admin": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security professional": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security staff": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:security provider_admin": 7,  # issue 13: + factors (3); F2: + identities (1)
    "accounts:new_link administrator": 3,  # main: 4
    "accounts:new_link contact_expired": 3,  # main: 4
    "accounts:new_link contact_live": 3,  # main: 4
    "accounts:new_link contact_revoked": 3,  # main: 4
    "accounts:new_link deputy": 3,  # main: 4
    "accounts:new_link other_org_admin": 3,  # main: 4
    "accounts:new_link professional": 3,  # main: 4
    "accounts:new_link staff": 3,  # main: 4
    "accounts:new_link_sent administrator": 3,  # main: 4
    "accounts:new_link_sent contact_expired": 3,  # main: 4
    "accounts:new_link_sent contact_live": 3,  # main: 4
    "accounts:new_link_sent contact_revoked": 3,  # main: 4
    "accounts:new_link_sent deputy": 3,  # main: 4
    "accounts:new_link_sent other_org_admin": 3,  # main: 4
    "accounts:new_link_sent professional": 3,  # main: 4
    "accounts:new_link_sent staff": 3,  # main: 4
    "accounts:set_password administrator": 4,  # main: 5
    "accounts:set_password contact_expired": 4,  # main: 5
    "accounts:set_password contact_live": 4,  # main: 5
    "accounts:set_password contact_revoked": 4,  # main: 5
    "accounts:set_password deputy": 4,  # main: 5
    "accounts:set_password other_org_admin": 4,  # main: 5
    "accounts:set_password professional": 4,  # main: 5
    "accounts:set_password staff": 4,  # main: 5
    "accounts:login_details professional": 3,  # new (issue 14)
    "accounts:login_details contact_live": 3,  # new (issue 14)
    "accounts:login_details contact_expired": 3,  # new (issue 14)
    "accounts:login_details contact_revoked": 3,  # new (issue 14)
    "accounts:login_details other_org_admin": 3,  # new (issue 14)
    "accounts:login_details deputy": 3,  # new (issue 14)
    "accounts:login_details administrator": 3,  # new (issue 14)
    "accounts:login_details staff": 3,  # new (issue 14)
    "accounts:login_details_sent professional": 3,  # new (issue 14)
    "accounts:login_details_sent contact_live": 3,  # new (issue 14)
    "accounts:login_details_sent contact_expired": 3,  # new (issue 14)
    "accounts:login_details_sent contact_revoked": 3,  # new (issue 14)
    "accounts:login_details_sent other_org_admin": 3,  # new (issue 14)
    "accounts:login_details_sent deputy": 3,  # new (issue 14)
    "accounts:login_details_sent administrator": 3,  # new (issue 14)
    "accounts:login_details_sent staff": 3,  # new (issue 14)
    "accounts:change_password professional": 3,  # new (issue 14)
    "accounts:change_password contact_live": 3,  # new (issue 14)
    "accounts:change_password contact_expired": 3,  # new (issue 14)
    "accounts:change_password contact_revoked": 3,  # new (issue 14)
    "accounts:change_password other_org_admin": 3,  # new (issue 14)
    "accounts:change_password deputy": 3,  # new (issue 14)
    "accounts:change_password administrator": 3,  # new (issue 14)
    "accounts:change_password staff": 3,  # new (issue 14)
    "backoffice:professional_import staff": 3,  # new (issue 14)
    "backoffice:professional_import_template staff": 3,  # new (issue 14)
    "backoffice:professional_import_done staff": 5,  # new (issue 14)
    # new (issue 14, large files); +1 for ending a checked run past its 12 hours (review 14 F15)
    "backoffice:professional_import_run staff": 6,
    "backoffice:activities staff": 4,  # main: 5
    "backoffice:activity staff": 6,  # main: 7
    "backoffice:activity_create staff": 4,  # main: 5
    "backoffice:activity_edit staff": 5,  # main: 6
    "backoffice:attendance staff": 5,  # main: 6
    "backoffice:attendance_csv staff": 5,  # main: 6
    "backoffice:lapsed staff": 4,  # main: 5
    "backoffice:second_factor_reset staff": 3,  # issue 13: session and user
    "backoffice:mail staff": 6,  # + the counts (one aggregate) and the mail server warning
    "backoffice:security staff": 5,  # session, user, count, the page's events with actors
    "backoffice:reinstate staff": 5,  # main: 6
    "backoffice:professionals staff": 6,  # new (issue 14): count, page, registrations
    "backoffice:professional_add staff": 4,  # new (issue 14): the register choices
    "backoffice:professional staff": 8,  # new (issue 14): + invitation and its mail
    "backoffice:professional_edit staff": 4,  # new (issue 14): professional
    "backoffice:registration_end staff": 5,  # new (issue 14): professional, registration
    "backoffice:renewal staff": 11,  # main: 12
    "backoffice:renewals staff": 4,  # main: 5
    "backoffice:self_report staff": 8,  # main: 9
    "backoffice:self_report_certificate staff": 9,  # main: 10
    "backoffice:self_reports staff": 4,  # main: 5
    "home:home administrator": 6,  # main: 8
    "home:home contact_expired": 4,  # main: 5
    "home:home contact_live": 4,  # main: 5
    "home:home contact_revoked": 4,  # main: 5
    "home:home deputy": 6,  # main: 8
    "home:home other_org_admin": 6,  # main: 8
    "home:home professional": 4,  # main: 5
    "home:home staff": 7,  # main: 8
    "insight:open_dossier contact_live": 11,  # main: 12
    "insight:professionals administrator": 4,  # main: 5
    "insight:professionals contact_expired": 4,  # main: 5
    "insight:professionals contact_live": 6,  # main: 6
    "insight:professionals contact_revoked": 4,  # main: 5
    "insight:professionals deputy": 4,  # main: 5
    "insight:professionals other_org_admin": 4,  # main: 5
    "onboarding:request_account administrator": 3,  # main: 4
    "onboarding:request_account contact_expired": 3,  # main: 4
    "onboarding:request_account contact_live": 3,  # main: 4
    "onboarding:request_account contact_revoked": 3,  # main: 4
    "onboarding:request_account deputy": 3,  # main: 4
    "onboarding:request_account other_org_admin": 3,  # main: 4
    "onboarding:request_account professional": 3,  # main: 4
    "onboarding:request_account staff": 3,  # main: 4
    "onboarding:request_sent administrator": 3,  # main: 4
    "onboarding:request_sent contact_expired": 3,  # main: 4
    "onboarding:request_sent contact_live": 3,  # main: 4
    "onboarding:request_sent contact_revoked": 3,  # main: 4
    "onboarding:request_sent deputy": 3,  # main: 4
    "onboarding:request_sent other_org_admin": 3,  # main: 4
    "onboarding:request_sent professional": 3,  # main: 4
    "onboarding:request_sent staff": 3,  # main: 4
    "organisations:contact administrator": 4,  # main: 5
    "organisations:contact deputy": 4,  # main: 5
    "organisations:contact_add administrator": 3,  # main: 4
    "organisations:contact_add deputy": 3,  # main: 4
    "organisations:contact_add other_org_admin": 3,  # main: 4
    "organisations:contact_handover administrator": 4,  # main: 5
    "organisations:contacts administrator": 4,  # main: 5
    "organisations:contacts deputy": 4,  # main: 5
    "organisations:contacts other_org_admin": 4,  # main: 5
    "organisations:organisation administrator": 3,  # main: 4
    "organisations:organisation deputy": 3,  # main: 4
    "organisations:organisation other_org_admin": 3,  # main: 4
    "organisations:organisation_edit administrator": 3,  # main: 4
    "organisations:organisation_edit deputy": 3,  # main: 4
    "organisations:organisation_edit other_org_admin": 3,  # main: 4
    "organisations:profile administrator": 3,  # main: 5
    "organisations:profile contact_expired": 3,  # main: 5
    "organisations:profile contact_live": 3,  # main: 5
    "organisations:profile contact_revoked": 3,  # main: 5
    "organisations:profile deputy": 3,  # main: 5
    "organisations:profile other_org_admin": 3,  # main: 5
    "organisations_staff:detail staff": 6,  # main: 7
    "organisations_staff:queue staff": 5,  # main: 6
    "registry:my_dossier professional": 8,  # +1 register changes (14), +1 reminders (16)
    "insight:alert_settings administrator": 4,  # issue 16: session, user, settings
    "insight:alert_settings contact_expired": 4,  # issue 16: session, user, settings
    "insight:alert_settings contact_live": 4,  # issue 16: session, user, settings
    "insight:alert_settings contact_revoked": 4,  # issue 16: session, user, settings
    "insight:alert_settings deputy": 4,  # issue 16: session, user, settings
    "insight:alert_settings other_org_admin": 4,  # issue 16: session, user, settings
    # Health probes (issue 11): session and user of the logged-in persona (a probe without a
    # cookie makes none), and for /readyz SELECT 1 and the applied migrations (2 queries).
    "ops:healthz administrator": 3,
    "ops:healthz contact_expired": 3,
    "ops:healthz contact_live": 3,
    "ops:healthz contact_revoked": 3,
    "ops:healthz deputy": 3,
    "ops:healthz other_org_admin": 3,
    "ops:healthz professional": 3,
    "ops:healthz staff": 3,
    "ops:readyz administrator": 6,
    "ops:readyz contact_expired": 6,
    "ops:readyz contact_live": 6,
    "ops:readyz contact_revoked": 6,
    "ops:readyz deputy": 6,
    "ops:readyz other_org_admin": 6,
    "ops:readyz professional": 6,
    "ops:readyz staff": 6,
    # Issue 12: a report file is made by the task worker. Its page: session, user, contacts,
    # the snapshot, the scope's grant ids (the "nothing changed" check), and no write (review
    # F10: it is polled every 2 s; the tidy-up gives up on stalled ones); a download reads the
    # same and writes its audit event
    # (savepoint, event, release) without link rows: 9, was 11 (CSV) and 13 (XLSX) with the
    # report's SQL inside. Constant whatever the number of rows (tests/test_report_*).
    "reports:snapshot administrator": 5,  # point 2 review: 6 (with the UPDATE)
    "reports:snapshot deputy": 5,  # point 2 review: 6 (with the UPDATE)
    "reports:download_csv administrator": 9,  # main: 11
    "reports:download_csv deputy": 9,  # main: 11
    "reports:download_xlsx administrator": 9,  # main: 13
    "reports:download_xlsx deputy": 9,  # main: 13
    "reports:report administrator": 12,  # issue 16: + the view recorded (savepoint, event, links)
    "reports:report deputy": 12,  # issue 16: + the view recorded (savepoint, event, links)
    "reports:report other_org_admin": 8,  # issue 16: + the view recorded (savepoint, event)
    "self_reports:create professional": 3,  # main: 4
    "self_reports:list professional": 4,  # main: 5
    # Issue 17. The public verification page writes on every opening: the rate limit (2), the
    # statement (1), its count and audit event (3), the published key (1), two savepoints (4).
    # The live status and the new-statement page read the current period's status (1 more):
    # a period that ran out short lapses the registration before close_periods has run.
    "statements:list professional": 5,  # new (issue 17)
    "statements:new professional": 5,  # new (issue 17)
    "statements:jwt professional": 4,
    "statements:created professional": 4,  # new (issue 17 review)  # new (issue 17)
    "statements:withdraw professional": 4,  # new (issue 17)
    "statements_public:verify professional": 15,  # new (issue 17)
    "statements_public:verify contact_live": 15,  # new (issue 17)
    "statements_public:verify contact_expired": 15,  # new (issue 17)
    "statements_public:verify contact_revoked": 15,  # new (issue 17)
    "statements_public:verify other_org_admin": 15,  # new (issue 17)
    "statements_public:verify deputy": 15,  # new (issue 17)
    "statements_public:verify administrator": 15,  # new (issue 17)
    "statements_public:verify staff": 15,  # new (issue 17)
    "statements_public:jwks professional": 4,  # new (issue 17)
    "statements_public:jwks contact_live": 4,  # new (issue 17)
    "statements_public:jwks contact_expired": 4,  # new (issue 17)
    "statements_public:jwks contact_revoked": 4,  # new (issue 17)
    "statements_public:jwks other_org_admin": 4,  # new (issue 17)
    "statements_public:jwks deputy": 4,  # new (issue 17)
    "statements_public:jwks administrator": 4,  # new (issue 17)
    "statements_public:jwks staff": 4,  # new (issue 17)
    # Issue 17 review: the export is made by the worker. The page gives up on a stalled one
    # (1 SELECT: a conditional UPDATE only when one is stalled) and lists the recent ones (1);
    # the download counts itself in one conditional UPDATE and writes its audit event and
    # link (2), in a savepoint (2).
    "dataexport:my_data professional": 5,  # issue 17: 2 (it made the ZIP on POST)
    "dataexport:status professional": 4,  # new (issue 17 review)
    "dataexport:download professional": 9,  # new (issue 17 review)
    "dataexport_public:schema professional": 3,  # new (issue 17)
    "dataexport_public:schema contact_live": 3,  # new (issue 17)
    "dataexport_public:schema contact_expired": 3,  # new (issue 17)
    "dataexport_public:schema contact_revoked": 3,  # new (issue 17)
    "dataexport_public:schema other_org_admin": 3,  # new (issue 17)
    "dataexport_public:schema deputy": 3,  # new (issue 17)
    "dataexport_public:schema administrator": 3,  # new (issue 17)
    "dataexport_public:schema staff": 3,  # new (issue 17)
    "home:home provider_admin": 6,  # new (issue 15)
    "ops:healthz provider_admin": 3,  # new (issue 15)
    "ops:readyz provider_admin": 6,  # new (issue 15)
    "onboarding:request_account provider_admin": 3,  # new (issue 15)
    "onboarding:request_provider_account professional": 3,  # new (issue 15)
    "onboarding:request_provider_account contact_live": 3,  # new (issue 15)
    "onboarding:request_provider_account contact_expired": 3,  # new (issue 15)
    "onboarding:request_provider_account contact_revoked": 3,  # new (issue 15)
    "onboarding:request_provider_account other_org_admin": 3,  # new (issue 15)
    "onboarding:request_provider_account deputy": 3,  # new (issue 15)
    "onboarding:request_provider_account administrator": 3,  # new (issue 15)
    "onboarding:request_provider_account staff": 3,  # new (issue 15)
    "onboarding:request_provider_account provider_admin": 3,  # new (issue 15)
    "onboarding:request_sent provider_admin": 3,  # new (issue 15)
    "accounts:set_password provider_admin": 4,  # new (issue 15)
    "accounts:new_link provider_admin": 3,  # new (issue 15)
    "accounts:new_link_sent provider_admin": 3,  # new (issue 15)
    "organisations:organisation provider_admin": 3,  # new (issue 15)
    "organisations:organisation_edit provider_admin": 3,  # new (issue 15)
    "organisations:contacts provider_admin": 4,  # new (issue 15)
    "organisations:contact_add provider_admin": 3,  # new (issue 15)
    "organisations:profile provider_admin": 3,  # new (issue 15)
    "statements_public:verify provider_admin": 15,  # new (issue 15)
    "statements_public:jwks provider_admin": 4,  # new (issue 15)
    "dataexport_public:schema provider_admin": 3,  # new (issue 15)
    "providers:requests provider_admin": 4,  # new (issue 15)
    "providers:request_add provider_admin": 3,  # new (issue 15)
    "providers:request provider_admin": 4,  # new (issue 15)
    "backoffice:accreditations staff": 4,  # new (issue 15)
    "backoffice:accreditation staff": 4,  # new (issue 15)
    "providers:attendance provider_admin": 5,  # new (issue 15)
    "providers:session_change provider_admin": 5,  # new (review 15 F13): as the attendance page
    "providers:api_keys provider_admin": 4,  # new (issue 15)
    "api:openapi-json professional": 3,  # new (issue 15)
    "api:openapi-json contact_live": 3,  # new (issue 15)
    "api:openapi-json contact_expired": 3,  # new (issue 15)
    "api:openapi-json contact_revoked": 3,  # new (issue 15)
    "api:openapi-json other_org_admin": 3,  # new (issue 15)
    "api:openapi-json deputy": 3,  # new (issue 15)
    "api:openapi-json administrator": 3,  # new (issue 15)
    "api:openapi-json staff": 3,  # new (issue 15)
    "api:openapi-json provider_admin": 3,  # new (issue 15)
    "api:openapi-view professional": 3,  # new (issue 15)
    "api:openapi-view contact_live": 3,  # new (issue 15)
    "api:openapi-view contact_expired": 3,  # new (issue 15)
    "api:openapi-view contact_revoked": 3,  # new (issue 15)
    "api:openapi-view other_org_admin": 3,  # new (issue 15)
    "api:openapi-view deputy": 3,  # new (issue 15)
    "api:openapi-view administrator": 3,  # new (issue 15)
    "api:openapi-view staff": 3,  # new (issue 15)
    "api:openapi-view provider_admin": 3,  # new (issue 15)
    "agenda:agenda professional": 4,  # new (issue 15)
    "agenda:agenda contact_live": 4,  # new (issue 15)
    "agenda:agenda contact_expired": 4,  # new (issue 15)
    "agenda:agenda contact_revoked": 4,  # new (issue 15)
    "agenda:agenda other_org_admin": 4,  # new (issue 15)
    "agenda:agenda deputy": 4,  # new (issue 15)
    "agenda:agenda administrator": 4,  # new (issue 15)
    "agenda:agenda staff": 4,  # new (issue 15)
    "agenda:agenda provider_admin": 4,  # new (issue 15)
    "accounts:login_details provider_admin": 3,  # new (issue 15)
    "accounts:login_details_sent provider_admin": 3,  # new (issue 15)
    "accounts:change_password provider_admin": 3,  # new (issue 15)
    # Issue 18: the role-offer page (session, user, contacts, link, offered contact).
    "onboarding:role_offer administrator": 5,
    "onboarding:role_offer contact_expired": 5,
    "onboarding:role_offer contact_live": 5,
    "onboarding:role_offer contact_revoked": 5,
    "onboarding:role_offer deputy": 5,
    "onboarding:role_offer other_org_admin": 5,
    "onboarding:role_offer professional": 5,
    "onboarding:role_offer provider_admin": 5,
    "onboarding:role_offer staff": 5,
    "reports:api_tokens administrator": 4,  # new (issue 16): session, user, contacts, tokens
    "reports:api_tokens deputy": 4,  # new (issue 16)
    "reports:api_tokens other_org_admin": 4,  # new (issue 16)
}

ROWS = [row for row in all_rows() if row.method == "get"]


@pytest.mark.parametrize("row", ROWS, ids=[row.url_name for row in ROWS])
def test_every_page_stays_within_its_query_budget(world: World, row) -> None:
    measured = {}
    for persona in PERSONAS:
        if persona == "anonymous" or row.expected[persona] != 200:
            continue
        client = world.client(persona)
        path = row.path(world)
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        measured[f"{row.url_name} {persona}"] = len(queries)
    over = {key: count for key, count in measured.items() if count > budget(key)}
    assert not over, f"over budget (budget: { {k: budget(k) for k in over} }): {over}"


def budget(key: str) -> int:
    """A two-role persona (issue 18) has exactly its one-role twin's budget."""
    if key in BUDGETS:
        return BUDGETS[key]
    page, persona = key.rsplit(" ", 1)
    return BUDGETS[f"{page} {TWINS[persona]}"]

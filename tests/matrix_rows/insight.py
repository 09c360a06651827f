"""Employer insight (Professionals, open dossier, Meldingen) and the organisation report."""

from peregister.access import policies
from peregister.reports.models import ReportSnapshot
from peregister.reports.snapshot_making import make_snapshot
from peregister.reports.snapshots import request_snapshot
from tests.matrix import Row, expect

# Every active contact has a Professionals list (possibly empty); the rest is 404.
# A training provider's user has none: providers never see dossiers (ASVS V4.1.3).
_CONTACTS = expect(200, professional=404, staff=404, provider_admin=404)
# Only contact_live holds a live grant from world.professional to its own contact.
_ONLY_LIVE_GRANT = expect(404, contact_live=200)
# Beheerder and 2e contactpersoon fetch their own organisation's report; the administrator
# of another organisation gets that organisation's (empty) report, never De Brug's rows.
_MANAGERS = expect(404, deputy=200, administrator=200, other_org_admin=200)
# A report file of De Brug: its managers only; another organisation's administrator gets 404.
_BRUG_MANAGERS = expect(404, deputy=200, administrator=200)


def _brug_snapshot(w) -> str:  # type: ignore[no-untyped-def]
    """The page of a made snapshot of De Brug's report (made here, as the worker would)."""
    scope = policies.report_scope_or_404(w.administrator.user)
    snapshot = request_snapshot(actor=w.administrator.user, scope=scope)
    if snapshot.state == ReportSnapshot.State.QUEUED:
        make_snapshot(str(snapshot.code))
    return f"/werkgever/rapportage/bestand/{snapshot.code}/"


ROWS = [
    Row("insight:professionals", lambda w: "/werkgever/professionals/", _CONTACTS),
    Row(
        "insight:open_dossier",
        lambda w: f"/werkgever/professionals/{w.professional.code}/",
        _ONLY_LIVE_GRANT,
    ),
    # *Meldingen*: every active contact sets its own alerts; the organisation-wide digest is
    # refused (400) to a contact who does not manage the organisation.
    Row("insight:alert_settings", lambda w: "/werkgever/meldingen/", _CONTACTS),
    Row(
        "insight:alert_settings",
        lambda w: "/werkgever/meldingen/",
        expect(302, professional=404, staff=404, provider_admin=404),
        method="post",
        data=lambda w: {"weekly_digest": "on", "status_changes": "on"},
    ),
    Row(
        "insight:alert_settings",
        lambda w: "/werkgever/meldingen/",
        expect(
            400,
            administrator=302,
            deputy=302,
            other_org_admin=302,
            professional=404,
            staff=404,
            provider_admin=404,
        ),
        method="post",
        data=lambda w: {"weekly_digest": "on", "whole_organisation": "on"},
    ),
    Row("reports:report", lambda w: "/werkgever/rapportage/", _MANAGERS),
    Row(
        "reports:request_file",
        lambda w: "/werkgever/rapportage/bestand/",
        expect(404, deputy=302, administrator=302, other_org_admin=302),
        method="post",
    ),
    Row("reports:snapshot", _brug_snapshot, _BRUG_MANAGERS),
    Row(
        "reports:download_xlsx",
        lambda w: f"{_brug_snapshot(w)}rapportage.xlsx",
        _BRUG_MANAGERS,
    ),
    Row("reports:download_csv", lambda w: f"{_brug_snapshot(w)}rapportage.csv", _BRUG_MANAGERS),
]

"""Register back-office pages: only register staff get them; everyone else 404, anonymous login."""

from peregister.registry.models import (
    LearningActivity,
    PePeriod,
    Registration,
    RenewalSubmission,
    SelfReport,
)
from tests import factories
from tests.conftest import World
from tests.matrix import Row, expect

ONLY_STAFF = expect(404, staff=200)
# Posting an empty form: staff get the form back with messages (400), everyone else 404.
STAFF_EMPTY_POST = expect(404, staff=400)


def activity_code(world: World) -> str:
    activity = LearningActivity.objects.first() or factories.LearningActivityFactory()
    return str(activity.code)


def renewal_path(world: World, action: str = "") -> str:
    """The world's professional with a submitted renewal dossier."""
    period = PePeriod.objects.get(registration__professional=world.professional)
    if not RenewalSubmission.objects.filter(period=period).exists():
        factories.RenewalSubmissionFactory(period=period)
    return f"/register/verlengingen/{world.professional.code}/up/{action}"


def reinstate_path(world: World) -> str:
    """The world's professional with a lapsed registration."""
    Registration.objects.filter(professional=world.professional).update(
        status=Registration.Status.LAPSED
    )
    return f"/register/registraties/{world.professional.code}/up/herstellen/"


def self_report_path(world: World, action: str = "") -> str:
    report = SelfReport.objects.first() or factories.SelfReportFactory(
        professional=world.professional
    )
    return f"/register/eigen-activiteiten/{report.code}/{action}"


ONLY_PROFESSIONAL = expect(404, professional=200)

ROWS = [
    # The professional's own pages.
    Row("self_reports:list", lambda w: "/eigen-activiteit/", ONLY_PROFESSIONAL),
    Row("self_reports:create", lambda w: "/eigen-activiteit/nieuw/", ONLY_PROFESSIONAL),
    Row(
        "self_reports:create",
        lambda w: "/eigen-activiteit/nieuw/",
        expect(404, professional=400),
        method="post",
    ),
    # Issue 13: staff reset a lost second factor (an empty form is refused).
    Row("backoffice:second_factor_reset", lambda w: "/register/tweestapsverificatie/", ONLY_STAFF),
    Row(
        "backoffice:second_factor_reset",
        lambda w: "/register/tweestapsverificatie/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    # Staff review.
    Row("backoffice:self_reports", lambda w: "/register/eigen-activiteiten/", ONLY_STAFF),
    Row("backoffice:self_report", lambda w: self_report_path(w), ONLY_STAFF),
    Row(
        "backoffice:self_report_certificate",
        lambda w: self_report_path(w, "certificaat/"),
        ONLY_STAFF,
    ),
    Row(
        "backoffice:self_report_approve",
        lambda w: self_report_path(w, "goedkeuren/"),
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row(
        "backoffice:self_report_reject",
        lambda w: self_report_path(w, "afwijzen/"),
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row("backoffice:renewals", lambda w: "/register/verlengingen/", ONLY_STAFF),
    Row("backoffice:renewal", lambda w: renewal_path(w), ONLY_STAFF),
    # Approving needs no input: staff are sent back to the list.
    Row(
        "backoffice:renewal_approve",
        lambda w: renewal_path(w, "goedkeuren/"),
        expect(404, staff=302),
        method="post",
    ),
    Row(
        "backoffice:renewal_reject",
        lambda w: renewal_path(w, "afwijzen/"),
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row("backoffice:lapsed", lambda w: "/register/registraties/vervallen/", ONLY_STAFF),
    Row("backoffice:reinstate", lambda w: reinstate_path(w), ONLY_STAFF),
    Row("backoffice:reinstate", lambda w: reinstate_path(w), STAFF_EMPTY_POST, method="post"),
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

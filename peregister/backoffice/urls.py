from django.urls import path

from peregister.backoffice.views import (
    accreditation,
    activities,
    attendance,
    mail,
    professional_import,
    professionals,
    registrations,
    renewals,
    second_factor,
    security,
    self_reports,
)

app_name = "backoffice"
urlpatterns = [
    path("professionals/", professionals.professional_list, name="professionals"),
    path("professionals/toevoegen/", professionals.professional_add, name="professional_add"),
    path(
        "professionals/importeren/",
        professional_import.professional_import,
        name="professional_import",
    ),
    path(
        "professionals/importeren/voorbeeld.csv",
        professional_import.professional_import_template,
        name="professional_import_template",
    ),
    path(
        "professionals/importeren/bevestigen/",
        professional_import.professional_import_confirm,
        name="professional_import_confirm",
    ),
    path(
        "professionals/importeren/controle/<uuid:code>/",
        professional_import.professional_import_run,
        name="professional_import_run",
    ),
    path(
        "professionals/importeren/controle/<uuid:code>/bevestigen/",
        professional_import.professional_import_run_confirm,
        name="professional_import_run_confirm",
    ),
    path(
        "professionals/importeren/<uuid:code>/",
        professional_import.professional_import_done,
        name="professional_import_done",
    ),
    path(
        "professionals/importeren/<uuid:code>/uitnodigen/",
        professional_import.professional_import_invite,
        name="professional_import_invite",
    ),
    path("professionals/<uuid:code>/", professionals.professional_detail, name="professional"),
    path(
        "professionals/<uuid:code>/wijzigen/",
        professionals.professional_edit,
        name="professional_edit",
    ),
    path(
        "professionals/<uuid:code>/uitnodigen/",
        professionals.professional_invite,
        name="professional_invite",
    ),
    path(
        "professionals/<uuid:code>/<slug:register>/beeindigen/",
        professionals.registration_end,
        name="registration_end",
    ),
    path("leeractiviteiten/", activities.activity_list, name="activities"),
    path("leeractiviteiten/nieuw/", activities.activity_create, name="activity_create"),
    path("leeractiviteiten/<uuid:code>/", activities.activity_detail, name="activity"),
    path("leeractiviteiten/<uuid:code>/wijzigen/", activities.activity_edit, name="activity_edit"),
    path("leeractiviteiten/<uuid:code>/beeindigen/", activities.activity_end, name="activity_end"),
    path("accreditatie/", accreditation.accreditation_list, name="accreditations"),
    path("accreditatie/<uuid:code>/", accreditation.accreditation_detail, name="accreditation"),
    path(
        "accreditatie/<uuid:code>/erkennen/",
        accreditation.accreditation_recognise,
        name="accreditation_recognise",
    ),
    path(
        "accreditatie/<uuid:code>/afwijzen/",
        accreditation.accreditation_reject,
        name="accreditation_reject",
    ),
    path("presentie/", attendance.attendance, name="attendance"),
    path("presentie/csv/", attendance.attendance_csv, name="attendance_csv"),
    path("presentie/bevestigen/", attendance.attendance_confirm, name="attendance_confirm"),
    path("verlengingen/", renewals.renewal_list, name="renewals"),
    path(
        "verlengingen/<uuid:professional>/<slug:register>/",
        renewals.renewal_detail,
        name="renewal",
    ),
    path(
        "verlengingen/<uuid:professional>/<slug:register>/goedkeuren/",
        renewals.renewal_approve,
        name="renewal_approve",
    ),
    path(
        "verlengingen/<uuid:professional>/<slug:register>/afwijzen/",
        renewals.renewal_reject,
        name="renewal_reject",
    ),
    path("eigen-activiteiten/", self_reports.self_report_list, name="self_reports"),
    path("eigen-activiteiten/<uuid:code>/", self_reports.self_report_detail, name="self_report"),
    path(
        "eigen-activiteiten/<uuid:code>/certificaat/",
        self_reports.self_report_certificate,
        name="self_report_certificate",
    ),
    path(
        "eigen-activiteiten/<uuid:code>/goedkeuren/",
        self_reports.self_report_approve,
        name="self_report_approve",
    ),
    path(
        "eigen-activiteiten/<uuid:code>/afwijzen/",
        self_reports.self_report_reject,
        name="self_report_reject",
    ),
    path("beveiliging/", security.security_list, name="security"),
    path("tweestapsverificatie/", second_factor.reset, name="second_factor_reset"),
    path("e-mail/", mail.mail_list, name="mail"),
    path("e-mail/opnieuw/", mail.mail_resend_all, name="mail_resend_all"),
    path("e-mail/<uuid:code>/opnieuw/", mail.mail_resend, name="mail_resend"),
    path("registraties/vervallen/", registrations.lapsed_list, name="lapsed"),
    path(
        "registraties/<uuid:professional>/<slug:register>/herstellen/",
        registrations.reinstate,
        name="reinstate",
    ),
]

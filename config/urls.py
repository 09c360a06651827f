from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

from config.api import urlpatterns as api_urls
from peregister.accounts.guards import public

urlpatterns = [
    path("", include("peregister.home.urls")),
    path("", include("peregister.ops.urls")),
    path("account/", include("peregister.accounts.urls")),
    path("account/", include("peregister.organisations.public_urls")),
    path("mijn/", include("peregister.registry.urls")),
    path("mijn/", include("peregister.access.urls")),
    path("mijn/", include("peregister.statements.urls")),
    path("mijn/", include("peregister.dataexport.urls")),
    path("", include("peregister.statements.public_urls")),
    path("", include("peregister.dataexport.public_urls")),
    path("werkgever/", include("peregister.insight.urls")),
    path("werkgever/", include("peregister.reports.urls")),
    path("werkgever/", include("peregister.organisations.urls")),
    path("aanbieder/", include("peregister.providers.urls")),
    path("scholingsagenda/", include("peregister.providers.agenda_urls")),
    path("register/organisaties/", include("peregister.backoffice.organisation_urls")),
    path("register/", include("peregister.backoffice.urls")),
    path("eigen-activiteit/", include("peregister.registry.self_report_urls")),
    path("taal/", public(set_language), name="set_language"),
    path("api/v1/", api_urls()),
]

handler400 = "peregister.core.errors.bad_request"
handler403 = "peregister.core.errors.forbidden"
handler404 = "peregister.core.errors.not_found"
handler500 = "peregister.core.errors.server_error"

if settings.DEBUG:  # pragma: no cover - development convenience only
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

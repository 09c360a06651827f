from django.urls import path

from peregister.reports import views

app_name = "reports"
urlpatterns = [
    path("rapportage/", views.report, name="report"),
    path("rapportage/bestand/", views.request_file, name="request_file"),
    path("rapportage/bestand/<uuid:code>/", views.snapshot_page, name="snapshot"),
    path(
        "rapportage/bestand/<uuid:code>/rapportage.xlsx", views.download_xlsx, name="download_xlsx"
    ),
    path("rapportage/bestand/<uuid:code>/rapportage.csv", views.download_csv, name="download_csv"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<uuid:code>/intrekken/", views.api_token_revoke, name="api_token_revoke"),
]

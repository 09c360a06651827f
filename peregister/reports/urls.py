from django.urls import path

from peregister.reports import views

app_name = "reports"
urlpatterns = [
    path("rapportage/", views.report, name="report"),
    path("rapportage.xlsx", views.download_xlsx, name="download_xlsx"),
    path("rapportage.csv", views.download_csv, name="download_csv"),
]

from django.urls import path

from peregister.insight import views

app_name = "insight"
urlpatterns = [
    path("professionals/", views.professionals, name="professionals"),
    # A malformed code does not match and answers 404, like an unknown or forbidden one.
    path("professionals/<uuid:code>/", views.open_dossier, name="open_dossier"),
    path("meldingen/", views.alert_settings, name="alert_settings"),
]

from django.urls import path

from peregister.access import views

app_name = "access"
urlpatterns = [
    path("inzage-werkgever/", views.grant_list, name="grants"),
    path("inzage-werkgever/toevoegen/", views.grant_add, name="grant_add"),
    path(
        "inzage-werkgever/toevoegen/<uuid:organisation>/",
        views.grant_add_contact,
        name="grant_add_contact",
    ),
    path("inzage-werkgever/<uuid:code>/wijzigen/", views.grant_change, name="grant_change"),
    path("inzage-werkgever/<uuid:code>/intrekken/", views.grant_revoke, name="grant_revoke"),
    path("wie-bekeek-mijn-dossier/", views.access_log, name="access_log"),
]

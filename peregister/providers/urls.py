from django.urls import path

from peregister.providers import views

app_name = "providers"
urlpatterns = [
    path("activiteiten/", views.request_list, name="requests"),
    path("activiteiten/aanvragen/", views.request_add, name="request_add"),
    path("activiteiten/<uuid:code>/", views.request_detail, name="request"),
    path("activiteiten/<uuid:code>/uitvoeringen/", views.session_add, name="session_add"),
    path("uitvoeringen/<uuid:code>/wijzigen/", views.session_change, name="session_change"),
    path("uitvoeringen/<uuid:code>/annuleren/", views.session_cancel, name="session_cancel"),
    path("uitvoeringen/<uuid:code>/presentie/", views.attendance, name="attendance"),
    path("uitvoeringen/<uuid:code>/presentie/csv/", views.attendance_csv, name="attendance_csv"),
    path("api-sleutels/", views.api_keys, name="api_keys"),
    path("api-sleutels/<uuid:code>/intrekken/", views.api_key_revoke, name="api_key_revoke"),
    path(
        "uitvoeringen/<uuid:code>/presentie/bevestigen/",
        views.attendance_confirm,
        name="attendance_confirm",
    ),
]

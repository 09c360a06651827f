from django.urls import path

from peregister.statements import views

app_name = "statements"
urlpatterns = [
    path("verklaringen/", views.statement_list, name="list"),
    path("verklaringen/nieuw/", views.statement_new, name="new"),
    path("verklaringen/<uuid:code>/gemaakt/", views.statement_created, name="created"),
    path("verklaringen/<uuid:code>/pdf/", views.statement_pdf, name="pdf"),
    path("verklaringen/<uuid:code>/verklaring.jwt", views.statement_jwt, name="jwt"),
    path("verklaringen/<uuid:code>/intrekken/", views.statement_withdraw, name="withdraw"),
]

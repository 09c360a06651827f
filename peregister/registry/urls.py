from django.urls import path

from peregister.registry import views

app_name = "registry"
urlpatterns = [
    path("dossier/", views.my_dossier, name="my_dossier"),
    path("dossier/indienen/", views.submit_renewal, name="submit_renewal"),
]

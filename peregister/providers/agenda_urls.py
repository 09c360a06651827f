from django.urls import path

from peregister.providers import agenda

app_name = "agenda"
urlpatterns = [path("", agenda.agenda, name="agenda")]

from django.urls import path

from peregister.dataexport import views

app_name = "dataexport"
urlpatterns = [
    path("gegevens/", views.my_data, name="my_data"),
]

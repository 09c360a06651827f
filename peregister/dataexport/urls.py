from django.urls import path

from peregister.dataexport import views

app_name = "dataexport"
urlpatterns = [
    path("gegevens/", views.my_data, name="my_data"),
    path("gegevens/<uuid:code>/", views.export_status, name="status"),
    path("gegevens/<uuid:code>/download/", views.download, name="download"),
]

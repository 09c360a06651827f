from django.urls import path

from peregister.dataexport import views
from peregister.dataexport.collect import SCHEMA_FILE

app_name = "dataexport_public"
urlpatterns = [
    path(f"schemas/{SCHEMA_FILE}", views.schema, name="schema"),
]

from django.urls import path

from peregister.registry import self_report_views

app_name = "self_reports"
urlpatterns = [
    path("", self_report_views.self_report_list, name="list"),
    path("nieuw/", self_report_views.self_report_create, name="create"),
]

from django.urls import path

from peregister.backoffice.views import attendance

app_name = "backoffice"
urlpatterns = [
    path("presentie/", attendance.attendance, name="attendance"),
    path("presentie/csv/", attendance.attendance_csv, name="attendance_csv"),
    path("presentie/bevestigen/", attendance.attendance_confirm, name="attendance_confirm"),
]

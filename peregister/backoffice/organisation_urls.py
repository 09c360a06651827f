from django.urls import path

from peregister.backoffice.views import organisations as staff_views

app_name = "organisations_staff"
urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("<uuid:code>/", staff_views.detail, name="detail"),
    path("<uuid:code>/autoriseren/", staff_views.authorise, name="authorise"),
    path("<uuid:code>/afwijzen/", staff_views.reject, name="reject"),
    path("<uuid:code>/schorsen/", staff_views.suspend, name="suspend"),
    path("<uuid:code>/heropenen/", staff_views.reinstate, name="reinstate"),
]

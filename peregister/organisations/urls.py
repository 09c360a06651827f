from django.urls import path

from peregister.organisations import views

app_name = "organisations"
urlpatterns = [
    path("organisatie/", views.organisation_detail, name="organisation"),
    path("organisatie/wijzigen/", views.organisation_edit, name="organisation_edit"),
    path("beheerders/", views.contact_list, name="contacts"),
    path("beheerders/toevoegen/", views.contact_add, name="contact_add"),
    path("beheerders/<uuid:code>/", views.contact_detail, name="contact"),
    path("beheerders/<uuid:code>/rol/", views.contact_role, name="contact_role"),
    path("beheerders/<uuid:code>/actief/", views.contact_active, name="contact_active"),
    path("beheerders/<uuid:code>/overdragen/", views.contact_handover, name="contact_handover"),
    path("beheerders/<uuid:code>/opnieuw-versturen/", views.contact_resend, name="contact_resend"),
    path("profiel/", views.my_profile, name="profile"),
]

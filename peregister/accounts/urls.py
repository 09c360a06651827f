from django.urls import path

from peregister.accounts import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login, name="login"),
    path("uitloggen/", views.logout, name="logout"),
    path("wachtwoord-instellen/<str:token>/", views.set_password, name="set_password"),
    path("nieuwe-link/", views.new_link, name="new_link"),
    path("nieuwe-link/verstuurd/", views.new_link_sent, name="new_link_sent"),
    path("inloggegevens-vergeten/", views.login_details, name="login_details"),
    path(
        "inloggegevens-vergeten/verstuurd/",
        views.login_details_sent,
        name="login_details_sent",
    ),
    path("wachtwoord-wijzigen/", views.change_password, name="change_password"),
]

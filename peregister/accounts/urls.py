from django.urls import path

from peregister.accounts import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.login, name="login"),
    path("uitloggen/", views.logout, name="logout"),
    path("wachtwoord-instellen/<str:token>/", views.set_password, name="set_password"),
    path("nieuwe-link/", views.new_link, name="new_link"),
    path("nieuwe-link/verstuurd/", views.new_link_sent, name="new_link_sent"),
]

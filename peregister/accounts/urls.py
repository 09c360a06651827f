from django.urls import path

from peregister.accounts import mfa_views, sso_views, views

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
    path("rol-wisselen/", views.switch_role, name="switch_role"),
    path("tweede-stap/", mfa_views.second_step_view, name="second_step"),
    path("tweede-stap/instellen/", mfa_views.setup, name="mfa_setup"),
    path("tweede-stap/herstelcodes/", mfa_views.recovery_codes, name="recovery_codes"),
    path(
        "tweede-stap/passkey/registratie-opties/",
        mfa_views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("tweede-stap/passkey/registreren/", mfa_views.passkey_register, name="passkey_register"),
    path(
        "tweede-stap/passkey/inlog-opties/",
        mfa_views.passkey_login_options,
        name="passkey_login_options",
    ),
    path("tweede-stap/passkey/inloggen/", mfa_views.passkey_login, name="passkey_login"),
    path("beveiliging/", mfa_views.security, name="security"),
    path("beveiliging/verwijderen/", mfa_views.remove_factor, name="remove_factor"),
    path(
        "beveiliging/inlogdienst-verwijderen/",
        mfa_views.remove_identity,
        name="remove_identity",
    ),
    path("uitloggen-alle-apparaten/", mfa_views.logout_everywhere, name="logout_everywhere"),
    # Single sign-on (OpenID Connect); the callback is the redirect URI a provider registers.
    path("inloggen/sso/koppelen/<str:token>/", sso_views.confirm_link, name="sso_link"),
    path("inloggen/sso/<str:provider>/", sso_views.start, name="sso_start"),
    path("inloggen/sso/<str:provider>/terug/", sso_views.callback, name="sso_callback"),
    path("inloggen/sso/<str:provider>/niet-gekoppeld/", sso_views.unlinked, name="sso_unlinked"),
]

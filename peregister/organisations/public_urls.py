from django.urls import path

from peregister.organisations import onboarding_views

app_name = "onboarding"
urlpatterns = [
    path("aanvragen/", onboarding_views.request_account, name="request_account"),
    path(
        "aanvragen-aanbieder/",
        onboarding_views.request_provider_account,
        name="request_provider_account",
    ),
    path("aanvragen/ontvangen/", onboarding_views.request_sent, name="request_sent"),
    path("rol-bevestigen/<str:token>/", onboarding_views.role_offer, name="role_offer"),
]

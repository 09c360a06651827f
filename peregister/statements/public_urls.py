from django.urls import path

from peregister.statements import views

app_name = "statements_public"
urlpatterns = [
    # The token's shape is checked in the view, so every unknown link is the same 404.
    path("verklaring/<str:token>/", views.verify, name="verify"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
]

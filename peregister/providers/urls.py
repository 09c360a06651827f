from django.urls import path

from peregister.providers import views

app_name = "providers"
urlpatterns = [
    path("activiteiten/", views.request_list, name="requests"),
    path("activiteiten/aanvragen/", views.request_add, name="request_add"),
    path("activiteiten/<uuid:code>/", views.request_detail, name="request"),
]

from django.urls import path

from peregister.ops import health

app_name = "ops"
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

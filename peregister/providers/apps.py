from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "peregister.providers"
    label = "providers"

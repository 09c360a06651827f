from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "peregister.registry"
    label = "registry"

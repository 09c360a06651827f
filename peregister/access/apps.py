from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "peregister.access"
    label = "access"

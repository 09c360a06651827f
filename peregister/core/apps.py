from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peregister.core"
    label = "core"

from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "peregister.backoffice"
    label = "backoffice"

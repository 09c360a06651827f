from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "peregister.organisations"
    label = "organisations"

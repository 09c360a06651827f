from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "peregister.home"
    label = "home"

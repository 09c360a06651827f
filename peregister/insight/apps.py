from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "peregister.insight"
    label = "insight"

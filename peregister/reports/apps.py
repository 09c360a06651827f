from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peregister.reports"
    label = "reports"

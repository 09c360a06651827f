from django.apps import AppConfig


class DataExportConfig(AppConfig):
    name = "peregister.dataexport"
    label = "dataexport"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "peregister.audit"
    label = "audit"

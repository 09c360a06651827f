from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the register on many machines: health, logs, the worker and the scheduler."""

    name = "peregister.ops"
    label = "ops"

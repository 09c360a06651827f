from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the register on many machines: health, logs, the worker and the scheduler."""

    name = "peregister.ops"
    label = "ops"

    def ready(self) -> None:
        from peregister.ops import checks  # noqa: F401  (registers the system checks)
        from peregister.ops.logs import install_excepthook

        install_excepthook()

from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "peregister.statements"
    label = "statements"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from peregister.statements import checks  # noqa: F401  (registers the system checks)
        from peregister.statements.keys import SigningKeyError, signing_key

        if not (settings.DEBUG or settings.TESTING):
            # Production refuses to start with a key it cannot sign with.
            try:
                signing_key()
            except SigningKeyError as exc:
                raise ImproperlyConfigured(str(exc)) from None

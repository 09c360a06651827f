from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peregister.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from peregister.accounts.services import SET_PASSWORD_TOPIC, renew_set_password_link
        from peregister.notifications.mail import register_renewer

        # A set-password mail sent again by the register carries a new link, not the old one.
        register_renewer(SET_PASSWORD_TOPIC, renew_set_password_link)
        # Every login starts the idle clock (``middleware.IdleTimeoutMiddleware``).
        user_logged_in.connect(_start_idle_clock, dispatch_uid="pe-idle-clock")


def _start_idle_clock(sender: object, request: object, user: object, **kwargs: object) -> None:
    from peregister.accounts.middleware import note_activity

    if request is not None:
        note_activity(request)  # type: ignore[arg-type]

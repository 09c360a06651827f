from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peregister.accounts"
    label = "accounts"

    def ready(self) -> None:
        from peregister.accounts.services import SET_PASSWORD_TOPIC, renew_set_password_link
        from peregister.notifications.mail import register_renewer

        # A set-password mail sent again by the register carries a new link, not the old one.
        register_renewer(SET_PASSWORD_TOPIC, renew_set_password_link)

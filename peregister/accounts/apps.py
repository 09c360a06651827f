from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peregister.accounts"
    label = "accounts"

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peregister.notifications"
    label = "notifications"

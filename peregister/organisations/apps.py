from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "peregister.organisations"
    label = "organisations"

    def ready(self) -> None:
        from peregister.notifications.mail import register_renewer
        from peregister.organisations.services import INVITATION_TOPIC, renew_invitation_link

        # An invitation sent again by the register carries a new link, not the old one.
        register_renewer(INVITATION_TOPIC, renew_invitation_link)

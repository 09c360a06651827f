from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from peregister.home import demo


class Command(BaseCommand):
    help = "Load the deterministic demo register (idempotent) and print one login per persona."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded.") if created else "Demo data already present."
        )
        self.stdout.write(f"\nDemo logins on {settings.SITE_URL}/ (password: {demo.DEMO_PASSWORD})")
        for login in demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<16} {login.persona}")
        self.stdout.write(
            "Register staff and beheerders (register, beheerder, tweede-contact, aanvrager, "
            "aanbieder) set up two-step verification at their first login: an authenticator "
            "app or a passkey."
        )
        self.stdout.write("")

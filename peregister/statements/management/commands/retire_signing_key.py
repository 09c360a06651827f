"""``manage.py retire_signing_key KID``: stop vouching for a PE-verklaring signing key.

For a key that leaked (or that the register no longer wants to stand behind): it leaves the
JWKS, and every statement signed with it shows *klopt niet* from then on. Configure a new key
and restart first; the key in use cannot be retired. See the README, *Signing key*.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peregister.core import clock
from peregister.statements.keys import key_id, signing_key
from peregister.statements.models import PublishedKey, Statement


class Command(BaseCommand):
    help = "Retire a published PE-verklaring signing key: it no longer verifies anything."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kid", help="the key's id, as in the JWKS and the JWT header")

    def handle(self, *args: Any, **options: Any) -> None:
        kid = str(options["kid"]).strip()
        if not PublishedKey.objects.filter(kid=kid).exists():
            raise CommandError(f"No published key has the id {kid!r}.")
        if kid == key_id(signing_key()):
            raise CommandError(
                "This is the key statements are signed with now: configure a new key "
                "(STATEMENT_SIGNING_KEY or STATEMENT_SIGNING_KEY_FILE), restart, then retire it."
            )
        retired = PublishedKey.objects.filter(kid=kid, retired_at__isnull=True).update(
            retired_at=clock.now()
        )
        signed = Statement.objects.filter(kid=kid).count()
        if retired:
            self.stdout.write(
                f"Key {kid} retired: it has left the JWKS; {signed} statement(s) signed with it "
                "now show that their signature does not hold."
            )
        else:
            self.stdout.write(f"Key {kid} was already retired.")

"""Tasks the worker runs for accounts: the lookups behind *Inloggegevens vergeten* and *Nieuwe
link*. The request only queues the typed value, so it does the same work whether or not an
account exists (review 14 F7; OWASP ASVS 4.0.3 V2.5.2)."""

from __future__ import annotations

from django_tasks import task

from peregister.accounts import services


@task()
def send_login_details_task(*, email: str) -> int:
    return services.send_login_details(actor=None, email=email)


@task()
def send_new_link_task(*, username_or_email: str) -> int:
    return services.send_new_link(actor=None, username_or_email=username_or_email)

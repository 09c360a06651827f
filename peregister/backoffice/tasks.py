"""Tasks the worker runs for the back-office."""

from __future__ import annotations

from django_tasks import task

from peregister.backoffice.invitation_sending import send_invitations


@task()
def send_invitations_task(*, code: str) -> int:
    return send_invitations(code)

"""Tasks the worker runs for the back-office."""

from __future__ import annotations

from django_tasks import task

from peregister.backoffice.import_checking import apply_run, check_run
from peregister.backoffice.invitation_sending import send_invitations


@task()
def send_invitations_task(*, code: str) -> int:
    return send_invitations(code)


@task()
def check_import_task(*, code: str) -> str:
    return check_run(code)


@task()
def apply_import_task(*, code: str) -> str:
    return apply_run(code)

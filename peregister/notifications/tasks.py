from __future__ import annotations

from typing import Any

from django_tasks import task

from peregister.notifications.mail import send_mail_now


@task()
def send_mail_task(*, template: str, to: list[str], context: dict[str, Any], language: str) -> None:
    send_mail_now(template=template, to=to, context=context, language=language)

"""*E-mail*: mails that could not be delivered, with the reason and *opnieuw versturen*."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice.mail import resend_mail, subject_of, troubled_mail
from peregister.backoffice.views.common import get_by_code_or_404
from peregister.core.refusals import Refused
from peregister.notifications.models import OutboxMessage

PAGE_LIMIT = 500


@staff_only
@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    troubled = list(troubled_mail()[:PAGE_LIMIT])
    # Failed mails first (they need someone), then those still being retried; newest first.
    failed = [m for m in troubled if m.state == OutboxMessage.State.FAILED]
    retrying = [m for m in troubled if m.state != OutboxMessage.State.FAILED]
    for message in (*failed, *retrying):
        message.subject = subject_of(message)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/mail_list.html",
        {
            "messages_in_trouble": [*failed, *retrying],
            "failed_count": len(failed),
            "retrying_count": len(retrying),
        },
    )


@staff_only
@require_POST
def mail_resend(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    message = get_by_code_or_404(OutboxMessage.objects.all(), code)
    try:
        resend_mail(actor=request.user, message=message)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("De e-mail aan %(to)s staat weer klaar om te versturen.")
            % {"to": ", ".join(message.recipients)},
        )
    return redirect("backoffice:mail")

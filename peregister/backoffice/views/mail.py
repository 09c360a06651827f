"""*E-mail*: mails that could not be delivered, with the reason and *opnieuw versturen*."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice.mail import (
    resend_all_mail,
    resend_mail,
    subject_of,
    trouble_counts,
    troubled_mail,
)
from peregister.backoffice.views.common import get_by_code_or_404
from peregister.core.pagination import PageWindow, requested_page
from peregister.core.refusals import Refused
from peregister.notifications.mail import mail_server_trouble
from peregister.notifications.models import OutboxMessage

PER_PAGE = 50


@staff_only
@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    counts = trouble_counts()
    window = PageWindow.clamped(
        requested_page(request.GET), counts["failed"] + counts["retrying"], PER_PAGE
    )
    offset = window.offset_for(PER_PAGE)
    rows = list(troubled_mail()[offset : offset + PER_PAGE])
    for message in rows:
        message.subject = subject_of(message)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/mail_list.html",
        {
            "messages_in_trouble": rows,
            "page": window,
            "failed_count": counts["failed"],
            "retrying_count": counts["retrying"],
            "server_trouble": mail_server_trouble(),
            "resendable_count": counts["resendable"],
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


@staff_only
@require_POST
def mail_resend_all(request: HttpRequest) -> HttpResponse:
    done = resend_all_mail(actor=request.user)
    resent = ngettext(
        "%(count)d e-mail staat weer klaar om te versturen.",
        "%(count)d e-mails staan weer klaar om te versturen.",
        done.resent,
    )
    messages.success(request, resent % {"count": done.resent})
    if done.skipped:
        skipped = ngettext(
            "%(count)d e-mail niet: vervangen of niet meer nodig.",
            "%(count)d e-mails niet: vervangen of niet meer nodig.",
            done.skipped,
        )
        messages.info(request, skipped % {"count": done.skipped})
    if done.more:
        messages.info(request, _("Er zijn er nog meer: klik nogmaals op alle opnieuw versturen."))
    return redirect("backoffice:mail")

"""The professional's own *Mijn PE-dossier* page and *Dossier indienen*."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peregister.accounts.guards import professional_only
from peregister.accounts.roles import request_professional
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry import renewals
from peregister.registry.dossier import register_changes, registration_views
from peregister.registry.reminders import sent_reminders

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,20}")


def _render_dossier(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    professional = request_professional(request)
    views = registration_views(professional, clock.today(), with_completions=True)
    return render(
        request,
        "registry/my_dossier.html",
        {
            "professional": professional,
            "registrations": views,
            "panels": renewals.renewal_panels(views),
            "renewal_error": error,
            "register_changes": register_changes(professional),
            "reminders": sent_reminders(professional),
        },
        status=status,
    )


@professional_only
def my_dossier(request: HttpRequest) -> HttpResponse:
    return _render_dossier(request)


@professional_only
@require_POST
def submit_renewal(request: HttpRequest) -> HttpResponse:
    """*Dossier indienen* for one of the professional's registrations (by register code)."""
    register_code = request.POST.get("register", "")
    if not SLUG.fullmatch(register_code):
        # Register codes are slugs; anything else (a NUL byte included) names no register.
        raise Http404
    registration = (
        request_professional(request)
        .registrations.select_related("register", "professional")
        .filter(register__code=register_code)
        .first()
    )
    if registration is None:
        raise Http404
    try:
        renewals.submit_renewal(actor=request.user, registration=registration)
    except Refused as exc:
        return _render_dossier(request, error=exc.message, status=400)
    messages.success(
        request,
        _("Uw dossier voor %(register)s is ingediend. Het register beoordeelt het.")
        % {"register": registration.register.name},
    )
    return HttpResponseRedirect(reverse("registry:my_dossier"))

"""*Beveiliging*: security events for register staff (ASVS 7.2)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peregister.accounts.guards import staff_only
from peregister.backoffice.security import SecurityFilterForm, security_events
from peregister.core.pagination import PageWindow, requested_page

PER_PAGE = 50


@staff_only
@require_GET
def security_list(request: HttpRequest) -> HttpResponse:
    form = SecurityFilterForm(request.GET)
    kind = form.cleaned_data["soort"] if form.is_valid() else ""
    events = security_events(kind)
    window = PageWindow.clamped(requested_page(request.GET), events.count(), PER_PAGE)
    offset = window.offset_for(PER_PAGE)
    return render(
        request,
        "backoffice/security_list.html",
        {
            "form": form,
            "events": list(events[offset : offset + PER_PAGE]),
            "page": window,
            "page_query": urlencode({"soort": kind}) if kind else "",
        },
    )

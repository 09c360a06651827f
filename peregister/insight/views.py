"""Employer pages: *Professionals* and *open dossier* (seed flow 6)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peregister.access import policies
from peregister.accounts.guards import contact_only
from peregister.accounts.roles import request_roles
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.pagination import PageWindow
from peregister.insight.listing import ListParams, page_query, professionals_page, sort_links
from peregister.registry.dossier import registration_views


@contact_only
def professionals(request: HttpRequest) -> HttpResponse:
    params = ListParams.from_query(request.GET)
    page = professionals_page(request.user, clock.now(), params)
    return render(
        request,
        "insight/professionals.html",
        {
            "params": params,
            "page": PageWindow(number=page.number, num_pages=page.num_pages),
            "total": page.total,
            "rows": page.rows,
            "sort_links": sort_links(params),
            "page_query": page_query(params),
        },
    )


@contact_only
def open_dossier(request: HttpRequest, code: str) -> HttpResponse:
    at = clock.now()
    professional = policies.get_visible_professional_or_404(request.user, code, at)
    contact = request_roles(request).contact
    grant = (
        policies.live_grants_to_viewer(request.user, at)
        .filter(professional=professional)
        .order_by(F("valid_until").desc(nulls_first=True))
        .first()
    )
    with transaction.atomic():
        record(
            AuditEvent.Action.DOSSIER_VIEWED,
            actor=request.user,
            organisation=contact.organisation if contact else None,
            contact=contact,
            professionals=[professional],
        )
    return render(
        request,
        "insight/dossier.html",
        {
            "professional": professional,
            "grant": grant,
            "registrations": registration_views(
                professional, clock.local_date(at), with_completions=True
            ),
        },
    )

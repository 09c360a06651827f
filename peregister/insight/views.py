"""Employer pages: *Professionals* and *open dossier* (seed flow 6)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peregister.access import dossiers
from peregister.accounts.guards import employer_insight_only
from peregister.core import clock
from peregister.insight.listing import ListParams, page_query, professionals_page, sort_links
from peregister.registry.dossier import registration_views


@employer_insight_only
def professionals(request: HttpRequest) -> HttpResponse:
    params = ListParams.from_query(request.GET)
    page = professionals_page(request.user, clock.now(), params)
    return render(
        request,
        "insight/professionals.html",
        {
            "params": params,
            "page": page.page,
            "professionals": page.professionals,
            "rows": page.rows,
            "sort_links": sort_links(params),
            "page_query": page_query(params),
        },
    )


@employer_insight_only
def open_dossier(request: HttpRequest, code: str) -> HttpResponse:
    opened = dossiers.open_dossier(actor=request.user, code=code)
    return render(
        request,
        "insight/dossier.html",
        {
            "professional": opened.professional,
            "grant": opened.grant,
            "registrations": registration_views(
                opened.professional, clock.local_date(opened.at), with_completions=True
            ),
        },
    )

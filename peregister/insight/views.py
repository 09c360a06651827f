"""Employer pages: *Professionals*, *open dossier* (seed flow 6) and *Meldingen*."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from peregister.access import dossiers
from peregister.accounts.guards import employer_insight_only
from peregister.accounts.roles import request_roles
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.insight import alerts
from peregister.insight.forms import AlertSettingsForm
from peregister.insight.listing import ListParams, page_query, professionals_page, sort_links
from peregister.organisations.models import Contact
from peregister.registry.dossier import registration_views


@employer_insight_only
def professionals(request: HttpRequest) -> HttpResponse:
    params = ListParams.from_query(request.GET)
    page = professionals_page(request_roles(request), clock.now(), params)
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


@employer_insight_only
def alert_settings(request: HttpRequest) -> HttpResponse:
    """*Meldingen*: the contact's own alert settings (everything off until chosen)."""
    contact = request_roles(request).active_contact
    if contact is None:  # the guard lets only an active contact in; never reached
        raise Http404
    current = alerts.settings_of(contact)
    if request.method != "POST":
        form = AlertSettingsForm(
            initial={
                "weekly_digest": current.weekly_digest,
                "whole_organisation": current.whole_organisation,
                "status_changes": current.status_changes,
            }
        )
        return _render_alerts(request, contact, form)
    form = AlertSettingsForm(request.POST)
    if not form.is_valid():
        return _render_alerts(request, contact, form, status=400)
    try:
        alerts.save_alert_settings(actor=request.user, **form.cleaned_data)
    except Refused as exc:
        form.add_error(exc.field, exc.message)
        return _render_alerts(request, contact, form, status=exc.status)
    messages.success(request, _("Uw meldingen zijn opgeslagen."))
    return HttpResponseRedirect(reverse("insight:alert_settings"))


def _render_alerts(
    request: HttpRequest, contact: Contact, form: AlertSettingsForm, status: int = 200
) -> HttpResponse:
    return render(
        request, "insight/alert_settings.html", {"contact": contact, "form": form}, status=status
    )

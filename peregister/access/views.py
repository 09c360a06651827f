"""The professional's *Inzage werkgever* pages and *Wie bekeek mijn dossier*."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from peregister.access import policies, services
from peregister.access.forms import GrantEndForm, GrantForm, OrganisationSearchForm
from peregister.access.log import grouped_access_log, log_lines
from peregister.access.models import AccessGrant
from peregister.accounts.guards import professional_only
from peregister.accounts.roles import request_professional
from peregister.core import clock
from peregister.core.pagination import paginate
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact, Organisation

ORGANISATIONS_PER_PAGE = 25
LOG_EVENTS_PER_PAGE = 50


def _own_grant_or_404(request: HttpRequest, code: uuid.UUID) -> AccessGrant:
    """Someone else's grant looks exactly like one that does not exist."""
    return get_object_or_404(
        AccessGrant.objects.select_related("contact__organisation", "professional"),
        code=code,
        professional=request_professional(request),
    )


@professional_only
def grant_list(request: HttpRequest) -> HttpResponse:
    grants = list(
        AccessGrant.objects.filter(professional=request_professional(request))
        .select_related("contact__organisation")
        .order_by("-granted_at", "-id")
    )
    now = clock.now()
    giving_access = policies.grants_giving_access(
        AccessGrant.objects.filter(professional=request_professional(request)), now
    )
    rows = [(grant, grant.state(now), grant.pk in giving_access) for grant in grants]
    return render(
        request,
        "access/grant_list.html",
        {"rows": rows, "active": AccessGrant.State.ACTIVE},
    )


@professional_only
def grant_add(request: HttpRequest) -> HttpResponse:
    """Step 1 of *toevoegen*: find the *Werkgever/Organisatie* (GET search, paginated)."""
    form = OrganisationSearchForm(request.GET or None)
    page = paginate(form.organisations(), ORGANISATIONS_PER_PAGE, request.GET)
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "access/grant_organisation.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "page_query": urlencode({"q": query}) if query else "",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _authorised_organisation_or_404(code: uuid.UUID) -> Organisation:
    return get_object_or_404(Organisation, Organisation.taking_grants(), code=code)


def _render_grant_form(
    request: HttpRequest,
    organisation: Organisation,
    form: GrantForm,
    *,
    status: int = 200,
    duplicates: list[AccessGrant] | None = None,
) -> HttpResponse:
    managers = organisation.contacts.filter(
        Contact.usable(), role__in=[Contact.Role.ADMINISTRATOR, Contact.Role.DEPUTY]
    ).order_by("role", "name")
    return render(
        request,
        "access/grant_form.html",
        {
            "organisation": organisation,
            "form": form,
            "managers": managers,
            "duplicates": duplicates or [],
        },
        status=status,
    )


@professional_only
@require_http_methods(["GET", "POST"])
def grant_add_contact(request: HttpRequest, organisation: uuid.UUID) -> HttpResponse:
    """Step 2 of *toevoegen*: one or more *contactpersonen/afdelingen*, *geautoriseerd tot*,
    *opslaan*."""
    chosen = _authorised_organisation_or_404(organisation)
    already = services.contacts_with_unexpired_grant(request_professional(request), chosen)
    if request.method != "POST":
        return _render_grant_form(
            request, chosen, GrantForm(organisation=chosen, already_granted=already)
        )
    form = GrantForm(request.POST, organisation=chosen, already_granted=already)
    if not form.is_valid():
        return _render_grant_form(request, chosen, form, status=400)
    try:
        grants = services.grant_access_to_contacts(
            actor=request.user,
            professional=request_professional(request),
            contacts=form.chosen_contacts(),
            valid_until=form.cleaned_data["valid_until"],
        )
    except Refused as exc:
        form.add_error(exc.field, exc.message)
        return _render_grant_form(
            request, chosen, form, status=exc.status, duplicates=exc.existing or []
        )
    messages.success(
        request,
        ngettext(
            "%(contacts)s van %(organisation)s heeft nu inzage in uw PE-dossier.",
            "%(contacts)s van %(organisation)s hebben nu inzage in uw PE-dossier.",
            len(grants),
        )
        % {
            "contacts": services.names_in_a_sentence([grant.contact.name for grant in grants]),
            "organisation": chosen.name,
        },
    )
    return HttpResponseRedirect(reverse("access:grants"))


@professional_only
@require_http_methods(["GET", "POST"])
def grant_change(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Change a live grant's *geautoriseerd tot*."""
    grant = _own_grant_or_404(request, code)
    if grant.state() != AccessGrant.State.ACTIVE or grant.revoked_at is not None:
        raise Http404
    form = GrantEndForm(
        request.POST if request.method == "POST" else None,
        initial={"valid_until": grant.valid_until},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.change_grant_end(
                    actor=request.user, grant=grant, valid_until=form.cleaned_data["valid_until"]
                )
            except Refused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("De datum ‘geautoriseerd tot’ is opgeslagen."))
                return HttpResponseRedirect(reverse("access:grants"))
    return render(
        request, "access/grant_change.html", {"grant": grant, "form": form}, status=status
    )


@professional_only
@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The *prullenbak*: a confirmation page; confirming revokes at once."""
    grant = _own_grant_or_404(request, code)
    if grant.revoked_at is not None:
        messages.info(request, _("Deze inzage is al ingetrokken."))
        return HttpResponseRedirect(reverse("access:grants"))
    if request.method == "POST":
        try:
            services.revoke_access(actor=request.user, grant=grant)
        except Refused as exc:
            messages.info(request, exc.message)
        else:
            messages.success(
                request,
                _("De inzage van %(contact)s (%(organisation)s) is ingetrokken.")
                % {"contact": grant.contact.name, "organisation": grant.contact.organisation.name},
            )
        return HttpResponseRedirect(reverse("access:grants"))
    return render(request, "access/grant_revoke.html", {"grant": grant, "state": grant.state()})


@professional_only
def access_log(request: HttpRequest) -> HttpResponse:
    """*Wie bekeek mijn dossier*: dossier views, report downloads that included me, and
    openings of my PE-verklaringen; repeats of one day grouped."""
    page = paginate(
        grouped_access_log(request_professional(request)), LOG_EVENTS_PER_PAGE, request.GET
    )
    return render(
        request,
        "access/access_log.html",
        {"page": page, "lines": log_lines(list(page.object_list))},
    )

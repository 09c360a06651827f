"""Register staff: the authorisation queue, *autoriseren*, *afwijzen*, suspend and reinstate."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice import organisations as services
from peregister.backoffice.forms import (
    OptionalOrganisationReasonForm as OptionalReasonForm,
)
from peregister.backoffice.forms import OrganisationReasonForm as ReasonForm
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact, Organisation

Status = Organisation.Status


def duplicates_of(organisation: Organisation) -> QuerySet[Organisation]:
    """Other organisations with the same KvK number or (in any letter case) the same name."""
    return Organisation.objects.filter(
        Q(kvk_number=organisation.kvk_number) | Q(name__iexact=organisation.name)
    ).exclude(pk=organisation.pk)


def _with_duplicate_hint(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    others = Organisation.objects.exclude(pk=OuterRef("pk"))
    return queryset.annotate(
        same_kvk=Exists(others.filter(kvk_number=OuterRef("kvk_number"))),
        same_name=Exists(others.filter(name__iexact=OuterRef("name"))),
    )


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    """Requests first; ``?status=`` shows the organisations of another status, ``?soort=``
    only employers or only training providers (both go through the same decisions)."""
    status = request.GET.get("status", Status.REQUESTED)
    if status not in Status.values:
        status = Status.REQUESTED
    kind = request.GET.get("soort", "")
    found = Organisation.objects.filter(status=status)
    if kind in Organisation.Kind.values:
        found = found.filter(kind=kind)
    else:
        kind = ""
    organisations = _with_duplicate_hint(found.order_by("requested_at", "id"))
    administrators = {
        contact.organisation_id: contact
        for contact in Contact.objects.filter(
            role=Contact.Role.ADMINISTRATOR, organisation__in=organisations
        ).select_related("user")
    }
    rows = [(organisation, administrators.get(organisation.pk)) for organisation in organisations]
    return render(
        request,
        "backoffice/organisations/queue.html",
        {
            "rows": rows,
            "status": status,
            "statuses": Status.choices,
            "kind": kind,
            "kinds": Organisation.Kind.choices,
        },
    )


def _organisation_or_404(code: uuid.UUID) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise Http404
    return organisation


def _render_detail(
    request: HttpRequest,
    organisation: Organisation,
    *,
    reject_form: ReasonForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/organisations/detail.html",
        {
            "organisation": organisation,
            "contacts": organisation.contacts.select_related("user").order_by("-active", "name"),
            "duplicates": duplicates_of(organisation),
            "reject_form": reject_form or ReasonForm(),
            "errors": errors or [],
        },
        status=status,
    )


@staff_only
def detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _render_detail(request, _organisation_or_404(code))


def _decide(
    request: HttpRequest,
    organisation: Organisation,
    change: Callable[[], object],
    done: str,
    *,
    reject_form: ReasonForm | None = None,
) -> HttpResponse:
    """Run a decision; a refusal (e.g. a second click) re-renders the page with a 400."""
    try:
        change()
    except Refused as exc:
        organisation.refresh_from_db()
        return _render_detail(
            request, organisation, reject_form=reject_form, errors=exc.messages, status=400
        )
    messages.success(request, done)
    return redirect("organisations_staff:detail", code=organisation.code)


@staff_only
@require_POST
def authorise(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    organisation = _organisation_or_404(code)
    return _decide(
        request,
        organisation,
        lambda: services.authorise_organisation(
            actor=request.user,
            organisation=organisation,
            seen=str(request.POST.get("seen", ""))[:64],
        ),
        _("De organisatie is geautoriseerd; de beheerder krijgt de autorisatiebevestiging."),
    )


@staff_only
@require_POST
def reject(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    organisation = _organisation_or_404(code)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, organisation, reject_form=form, status=400)
    return _decide(
        request,
        organisation,
        lambda: services.reject_organisation(
            actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
        ),
        _("De aanvraag is afgewezen; de aanvrager krijgt de reden per e-mail."),
        reject_form=form,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def suspend(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """*schorsen*, the one destructive decision, is confirmed on a page of its own."""
    organisation = _organisation_or_404(code)
    if request.method != "POST":
        if organisation.status != Status.AUTHORISED:
            return redirect("organisations_staff:detail", code=organisation.code)
        return _render_suspend(request, organisation, OptionalReasonForm())
    form = OptionalReasonForm(request.POST)
    if not form.is_valid():
        return _render_suspend(request, organisation, form, status=400)
    return _decide(
        request,
        organisation,
        lambda: services.suspend_organisation(
            actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
        ),
        _("De organisatie is geschorst."),
    )


def _render_suspend(
    request: HttpRequest, organisation: Organisation, form: OptionalReasonForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "backoffice/organisations/suspend.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@staff_only
@require_POST
def reinstate(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    organisation = _organisation_or_404(code)
    return _decide(
        request,
        organisation,
        lambda: services.reinstate_organisation(actor=request.user, organisation=organisation),
        _("De organisatie is heropend."),
    )

"""*Professionals* (staff): search, *Professional toevoegen*, personal data, end a registration."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.access.policies import staff_professionals
from peregister.accounts.guards import staff_only
from peregister.accounts.services import set_password_mail
from peregister.backoffice.invitation_sending import invitable
from peregister.backoffice.invitations import invite_professional
from peregister.backoffice.models import InvitationRun
from peregister.backoffice.professional_forms import (
    AddProfessionalForm,
    EditProfessionalForm,
    EndRegistrationForm,
    ProfessionalSearchForm,
)
from peregister.backoffice.professionals import (
    add_professional,
    end_registration,
    update_professional,
)
from peregister.core import clock
from peregister.core.pagination import PAGE_PARAM, paginate
from peregister.core.refusals import Refused
from peregister.registry.dossier import register_changes
from peregister.registry.models import Professional, Registration

PAGE_SIZE = 50
# Words of a search; more say nothing new and only make the query longer.
MAX_SEARCH_WORDS = 5


def _searched(viewer: object, term: str) -> QuerySet[Professional]:
    professionals = staff_professionals(viewer)
    for word in term.split()[:MAX_SEARCH_WORDS]:
        professionals = professionals.filter(
            Q(last_name__icontains=word)
            | Q(initials__icontains=word)
            | Q(name_prefix__icontains=word)
            | Q(registration_number__istartswith=word)
            | Q(email__icontains=word)
        )
    return professionals.prefetch_related(
        Prefetch(
            "registrations",
            queryset=Registration.objects.select_related("register").order_by("register__name"),
        )
    ).order_by("last_name", "initials", "id")


@staff_only
@require_http_methods(["GET"])
def professional_list(request: HttpRequest) -> HttpResponse:
    form = ProfessionalSearchForm(request.GET)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = paginate(_searched(request.user, term), PAGE_SIZE, request.GET)
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return render(
        request,
        "backoffice/professional_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "term": term},
        status=400 if form.errors else 200,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def professional_add(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = AddProfessionalForm(initial={"registered_on": clock.today()})
        return render(request, "backoffice/professional_add.html", {"form": form})
    form = AddProfessionalForm(request.POST)
    existing = None
    status = 400
    if form.is_valid():
        try:
            professional = add_professional(actor=request.user, data=form.to_data())
        except Refused as refused:
            form.add_error(refused.field, refused.message)
            existing, status = refused.existing, refused.status
        else:
            messages.success(
                request,
                _("%(name)s is toegevoegd aan het register.") % {"name": professional.full_name},
            )
            return redirect("backoffice:professional", code=professional.code)
    return render(
        request,
        "backoffice/professional_add.html",
        {"form": form, "existing": existing},
        status=status,
    )


def _professional_or_404(request: HttpRequest, code: uuid.UUID) -> Professional:
    """The staff clause of the policy, with the account loaded in the same query."""
    found = staff_professionals(request.user).select_related("user").filter(code=code).first()
    if found is None:
        raise Http404
    return found


def _detail_page(
    request: HttpRequest, professional: Professional, *, error: str = "", status: int = 200
) -> HttpResponse:
    registrations = list(
        professional.registrations.with_current_figures(clock.today())
        .select_related("register")
        .order_by("register__name", "id")
    )
    user = professional.user
    return render(
        request,
        "backoffice/professional_detail.html",
        {
            "professional": professional,
            "registrations": registrations,
            "changes": register_changes(professional),
            "account": user,
            "has_password": user is not None and user.has_usable_password(),
            "may_invite": invitable(professional),
            "invitation": InvitationRun.objects.filter(professional=professional).first(),
            "invitation_mail": set_password_mail(user.pk) if user is not None else None,
            "invite_error": error,
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET"])
def professional_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _detail_page(request, _professional_or_404(request, code))


@staff_only
@require_POST
def professional_invite(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """*Uitnodigen* (or again): queued for the worker; the page shows how it goes."""
    professional = _professional_or_404(request, code)
    try:
        invite_professional(actor=request.user, professional=professional)
    except Refused as refused:
        return _detail_page(request, professional, error=refused.message, status=refused.status)
    messages.success(
        request,
        _("De uitnodiging wordt verstuurd naar %(address)s.")
        % {"address": professional.mail_recipient()["address"]},
    )
    return redirect("backoffice:professional", code=professional.code)


@staff_only
@require_http_methods(["GET", "POST"])
def professional_edit(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    professional = _professional_or_404(request, code)
    if request.method != "POST":
        form = EditProfessionalForm(initial=EditProfessionalForm.initial_for(professional))
        return render(
            request,
            "backoffice/professional_edit.html",
            {"form": form, "professional": professional},
        )
    needs_birth = (
        professional.registrations.select_related("register")
        .filter(register__requires_date_of_birth=True)
        .first()
    )
    form = EditProfessionalForm(
        request.POST, register=needs_birth.register if needs_birth is not None else None
    )
    if form.is_valid():
        try:
            changed = update_professional(
                actor=request.user, professional=professional, person=form.person()
            )
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                _("De gegevens zijn opgeslagen.") if changed else _("Er is niets gewijzigd."),
            )
            return redirect("backoffice:professional", code=professional.code)
    return render(
        request,
        "backoffice/professional_edit.html",
        {"form": form, "professional": professional},
        status=400,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def registration_end(request: HttpRequest, code: uuid.UUID, register: str) -> HttpResponse:
    professional = _professional_or_404(request, code)
    registration = (
        professional.registrations.select_related("register", "professional")
        .filter(register__code=register)
        .first()
    )
    if registration is None:
        raise Http404
    if registration.status == Registration.Status.ENDED:
        # A second click on beëindigen (or a page left open) lands where the first one did.
        messages.info(request, _("Deze registratie is al beëindigd."))
        return redirect("backoffice:professional", code=professional.code)
    form = EndRegistrationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                end_registration(
                    actor=request.user,
                    registration=registration,
                    reason=form.cleaned_data["reason"],
                )
            except Refused as refused:
                form.add_error(refused.field, refused.message)
                status = refused.status
            else:
                messages.success(request, _("De registratie is beëindigd."))
                return redirect("backoffice:professional", code=professional.code)
    return render(
        request,
        "backoffice/registration_end.html",
        {"form": form, "registration": registration},
        status=status,
    )

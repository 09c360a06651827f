"""Account-holder pages: *Organisatie*, *Beheerders* (beheerder and 2e contactpersoon), own
profile; the same pages for an employer's contacts and a training provider's users."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peregister.accounts.guards import contact_only, organisation_manager_only
from peregister.accounts.roles import request_roles
from peregister.core.refusals import Refused
from peregister.notifications.mail import delivery_state
from peregister.organisations import services
from peregister.organisations.forms import (
    AddContactForm,
    ContactActiveForm,
    ContactRoleForm,
    OrganisationDataForm,
)
from peregister.organisations.models import Contact, Organisation
from peregister.organisations.services import OrganisationData


def _me(request: HttpRequest) -> Contact:
    contact = request_roles(request).contact
    if contact is None:  # the policies make this impossible; never a 500 if they change
        raise Http404
    return contact


def _organisation(request: HttpRequest) -> Organisation:
    return _me(request).organisation


def _contact_or_404(request: HttpRequest, code: uuid.UUID) -> Contact:
    """Only contacts of the viewer's own organisation; anyone else's code is unknown (404)."""
    contact = (
        Contact.objects.select_related("organisation", "user")
        .filter(organisation=_organisation(request), code=code)
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def _data(cleaned: dict[str, Any]) -> OrganisationData:
    return OrganisationData(
        **{name: cleaned[name] for name in OrganisationData.__dataclass_fields__}
    )


@organisation_manager_only
def organisation_detail(request: HttpRequest) -> HttpResponse:
    return render(
        request, "organisations/organisation_detail.html", {"organisation": _organisation(request)}
    )


@organisation_manager_only
def organisation_edit(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    template = "organisations/organisation_edit.html"
    if request.method != "POST":
        form = OrganisationDataForm(initial=OrganisationDataForm.initial_for(organisation))
        return render(request, template, {"form": form, "organisation": organisation})
    form = OrganisationDataForm(request.POST)
    if form.is_valid():
        try:
            services.update_organisation(
                actor=request.user, organisation=organisation, data=_data(form.cleaned_data)
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("De organisatiegegevens zijn opgeslagen."))
            return redirect("organisations:organisation")
    return render(request, template, {"form": form, "organisation": organisation}, status=400)


@organisation_manager_only
def contact_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    contacts = organisation.contacts.select_related("user").order_by("-active", "name", "id")
    return render(
        request,
        "organisations/contact_list.html",
        {"organisation": organisation, "contacts": contacts, "me": _me(request)},
    )


@organisation_manager_only
def contact_add(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    template = "organisations/contact_add.html"
    suspended = organisation.status == Organisation.Status.SUSPENDED
    notice = {"suspended_notice": services.suspended_message() if suspended else ""}
    if request.method != "POST":
        form = AddContactForm(provider=organisation.is_provider)
        context = {"form": form, "organisation": organisation, **notice}
        return render(request, template, context)
    form = AddContactForm(request.POST, provider=organisation.is_provider)
    if not organisation.is_authorised:
        context = {"form": form, "organisation": organisation, **notice}
        return render(request, template, context, status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.add_contact(
                actor=request.user,
                organisation=organisation,
                kind=data["kind"],
                name=data["name"],
                email=data["email"],
                role=data["role"],
                username=data["username"],
                language=data["language"],
            )
        except Refused as exc:
            form.add_error(exc.field or "role", exc.message)
        else:
            # The same words whether the address already had an account (then the person is
            # asked to accept the role) or a new one was made: nobody learns which (ASVS 2.5.x).
            messages.success(
                request,
                _("%(name)s is toegevoegd en krijgt een e-mail om de rol in gebruik te nemen.")
                % {"name": contact.name},
            )
            return redirect("organisations:contacts")
    return render(request, template, {"form": form, "organisation": organisation}, status=400)


def _render_contact(
    request: HttpRequest,
    contact: Contact,
    *,
    role_form: ContactRoleForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    me = _me(request)
    return render(
        request,
        "organisations/contact_detail.html",
        {
            "contact": contact,
            "me": me,
            "role_form": role_form
            or ContactRoleForm(
                initial={"role": contact.role}, provider=contact.organisation.is_provider
            ),
            "errors": errors or [],
            "can_change_role": contact.role != Contact.Role.ADMINISTRATOR,
            "can_toggle_active": contact.role != Contact.Role.ADMINISTRATOR and contact.pk != me.pk,
            **_in_use(contact, me),
        },
        status=status,
    )


def _in_use(contact: Contact, me: Contact) -> dict[str, Any]:
    """Whether the contact has taken the role into use, and until then whether the mail that
    asks them to reached them and the *opnieuw versturen* button. A new account (set a
    password) and an existing person's account (accept the role) look the same here: the
    beheerder never learns that an e-mail address already had an account, nor any username
    (ASVS 2.5.x); the handover waits for both alike (``services.taken_into_use``)."""
    in_use = services.taken_into_use(contact)
    return {
        "in_use": in_use,
        "declined": contact.offer == Contact.Offer.DECLINED,
        "link_mail": None if in_use else delivery_state(services.invitation_topic(contact)),
        "can_resend": services.can_resend_invitation(contact, in_use=in_use),
        "declined_for_good": services.declined_for_good(contact),
        "declined_for_good_message": services.DECLINED_FOR_GOOD_MESSAGE,
        "can_hand_over": me.role == Contact.Role.ADMINISTRATOR
        and contact.pk != me.pk
        and contact.active
        and in_use,
    }


@organisation_manager_only
def contact_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _render_contact(request, _contact_or_404(request, code))


@organisation_manager_only
@require_POST
def contact_role(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    contact = _contact_or_404(request, code)
    form = ContactRoleForm(request.POST, provider=contact.organisation.is_provider)
    if not form.is_valid():
        return _render_contact(request, contact, role_form=form, status=400)
    try:
        services.change_contact_role(
            actor=request.user, contact=contact, role=form.cleaned_data["role"]
        )
    except Refused as exc:
        contact.refresh_from_db()
        return _render_contact(request, contact, role_form=form, errors=exc.messages, status=400)
    messages.success(request, _("De rol van %(name)s is opgeslagen.") % {"name": contact.name})
    return redirect("organisations:contact", code=contact.code)


@organisation_manager_only
@require_POST
def contact_active(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    contact = _contact_or_404(request, code)
    form = ContactActiveForm(request.POST)
    if not form.is_valid():
        return _render_contact(
            request, contact, errors=[_("Kies activeren of deactiveren.")], status=400
        )
    try:
        services.set_contact_active(
            actor=request.user, contact=contact, active=form.cleaned_data["active"]
        )
    except Refused as exc:
        contact.refresh_from_db()
        return _render_contact(request, contact, errors=exc.messages, status=400)
    if contact.active:
        messages.success(request, _("%(name)s is weer actief.") % {"name": contact.name})
    else:
        messages.success(request, _("%(name)s is gedeactiveerd.") % {"name": contact.name})
    return redirect("organisations:contact", code=contact.code)


@organisation_manager_only
def contact_handover(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Only the beheerder hands over the role; for everyone else this page does not exist."""
    if _me(request).role != Contact.Role.ADMINISTRATOR:
        raise Http404
    contact = _contact_or_404(request, code)
    template = "organisations/contact_handover.html"
    if request.method != "POST":
        return render(request, template, {"contact": contact, "me": _me(request)})
    try:
        services.hand_over_administrator(actor=request.user, to=contact)
    except Refused as exc:
        contact.refresh_from_db()
        return render(
            request,
            template,
            {"contact": contact, "me": _me(request), "errors": exc.messages},
            status=400,
        )
    messages.success(request, _("%(name)s is nu de beheerder.") % {"name": contact.name})
    return redirect("organisations:contacts")


@organisation_manager_only
@require_POST
def contact_resend(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """*Opnieuw versturen*: a fresh link to a contact who has not taken the role into use."""
    contact = _contact_or_404(request, code)
    try:
        services.resend_invitation(actor=request.user, contact=contact)
    except Refused as exc:
        contact.refresh_from_db()
        status = 429 if exc.code == services.TOO_MANY else 400
        return _render_contact(request, contact, errors=exc.messages, status=status)
    messages.success(
        request,
        _("%(name)s krijgt opnieuw een e-mail om de rol in gebruik te nemen.")
        % {"name": contact.name},
    )
    return redirect("organisations:contact", code=contact.code)


@contact_only
def my_profile(request: HttpRequest) -> HttpResponse:
    """Every contact sees their own data, role and organisation; nothing of anyone else."""
    return render(request, "organisations/my_profile.html", {"contact": _me(request)})

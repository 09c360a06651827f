"""The training provider's pages: its accreditation requests and activities, sessions and
attendance. Views stay thin: the services (``registry/accreditation.py``,
``registry/completions.py``) decide, and only ever for the actor's own provider."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.accounts.guards import provider_manager_only, provider_only
from peregister.accounts.roles import request_roles
from peregister.backoffice.forms import (
    AttendanceConfirmForm,
    CsvListForm,
    NumbersPasteForm,
    sign_payload,
)
from peregister.core.pagination import paginate
from peregister.core.refusals import Refused
from peregister.providers import keys
from peregister.providers.forms import AccreditationForm, ApiKeyForm, SessionForm
from peregister.providers.models import ApiKey
from peregister.registry import accreditation
from peregister.registry.attendance import Entry
from peregister.registry.completions import LineStatus, check_for_provider, register_completions
from peregister.registry.models import AccreditationRequest, Session

PER_PAGE = 50


@provider_only
@require_http_methods(["GET"])
def request_list(request: HttpRequest) -> HttpResponse:
    """The provider's activities with their status (newest request first)."""
    page = paginate(accreditation.own_requests(request.user), PER_PAGE, request.GET)
    return render(request, "providers/request_list.html", {"page": page})


@provider_only
@require_http_methods(["GET", "POST"])
def request_add(request: HttpRequest) -> HttpResponse:
    template = "providers/request_form.html"
    if request.method != "POST":
        return render(request, template, {"form": AccreditationForm()})
    form = AccreditationForm(request.POST)
    if form.is_valid():
        try:
            submitted = accreditation.submit_accreditation_request(
                actor=request.user, data=form.data_object()
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request, _("Uw accreditatieaanvraag is ingediend; het register beoordeelt haar.")
            )
            return redirect("providers:request", code=submitted.code)
    return render(request, template, {"form": form}, status=400)


def _detail_page(
    request: HttpRequest,
    item: AccreditationRequest,
    session_form: SessionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sessions = item.activity.sessions.order_by("starts_on", "id") if item.activity else None
    return render(
        request,
        "providers/request_detail.html",
        {
            "item": item,
            "sessions": sessions,
            "session_form": session_form or SessionForm(),
        },
        status=status,
    )


@provider_only
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _detail_page(request, accreditation.own_request_or_404(request.user, code))


@provider_only
@require_POST
def session_add(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """*Uitvoering toevoegen* to a recognised activity of the provider's own."""
    item = accreditation.own_request_or_404(request.user, code)
    form = SessionForm(request.POST)
    if item.activity is None:
        form.add_error(None, _("Voeg uitvoeringen toe zodra de activiteit is erkend."))
        return _detail_page(request, item, form, status=400)
    if form.is_valid():
        try:
            accreditation.add_session(
                actor=request.user, activity=item.activity, **form.session_values()
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("De uitvoering is toegevoegd."))
            return redirect("providers:request", code=item.code)
    return _detail_page(request, item, form, status=400)


def _session_page(
    request: HttpRequest, session: Session, form: SessionForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "providers/session_form.html",
        {"session": session, "form": form, "request_code": _request_code(session)},
        status=status,
    )


def _request_code(session: Session) -> uuid.UUID:
    return session.activity.accreditation_request.code  # type: ignore[no-any-return]


@provider_only
@require_http_methods(["GET", "POST"])
def session_change(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """*Uitvoering wijzigen*: dates and place, within the rules of adding one."""
    session = accreditation.own_session_or_404(request.user, code)
    if request.method != "POST":
        return _session_page(
            request, session, SessionForm(initial=SessionForm.initial_for(session))
        )
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            accreditation.change_session(
                actor=request.user, session=session, **form.session_values()
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("De uitvoering is gewijzigd."))
            return redirect("providers:request", code=_request_code(session))
    return _session_page(request, session, form, status=400)


@provider_only
@require_POST
def session_cancel(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """*Uitvoering annuleren*: only while no attendance is registered for it."""
    session = accreditation.own_session_or_404(request.user, code)
    try:
        accreditation.cancel_session(actor=request.user, session=session)
    except Refused as exc:
        messages.error(request, exc.message)
        form = SessionForm(initial=SessionForm.initial_for(session))
        return _session_page(request, session, form, status=exc.status)
    messages.success(request, _("De uitvoering is geannuleerd."))
    return redirect("providers:request", code=_request_code(session))


# --- Presentie: the same engine and check step as the register's back-office ---------------


def _form_page(
    request: HttpRequest,
    session: Session,
    *,
    paste_form: NumbersPasteForm | None = None,
    csv_form: CsvListForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "providers/attendance_form.html",
        {
            "session": session,
            "paste_form": paste_form or NumbersPasteForm(initial={"day": session.starts_on}),
            "csv_form": csv_form or CsvListForm(),
        },
        status=status,
    )


def _check_page(
    request: HttpRequest, session: Session, entries: list[Entry], status: int = 200
) -> HttpResponse:
    try:
        check = check_for_provider(actor=request.user, session=session, entries=entries)
    except Refused as refused:
        messages.error(request, refused.message)
        return _form_page(
            request, session, status=429 if refused.code == "rate_limited" else refused.status
        )
    return render(
        request,
        "providers/attendance_check.html",
        {
            "session": session,
            "check": check,
            "confirm_form": AttendanceConfirmForm(
                initial={"payload": sign_payload(session.activity, entries, session.code)}
            ),
            "statuses": LineStatus,
        },
        status=status,
    )


@provider_only
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    session = accreditation.own_session_or_404(request.user, code)
    if request.method != "POST":
        return _form_page(request, session)
    form = NumbersPasteForm(request.POST)
    if not form.is_valid():
        return _form_page(request, session, paste_form=form, status=400)
    return _check_page(request, session, form.entries)


@provider_only
@require_POST
def attendance_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    session = accreditation.own_session_or_404(request.user, code)
    form = CsvListForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, session, csv_form=form, status=400)
    return _check_page(request, session, form.entries)


@provider_only
@require_POST
def attendance_confirm(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    session = accreditation.own_session_or_404(request.user, code)
    form = AttendanceConfirmForm(request.POST)
    # A list checked for another session (or crafted) is refused like a tampered one.
    if not form.is_valid() or (
        form.session_code != str(session.code) or form.activity.pk != session.activity_id
    ):
        return render(
            request, "providers/attendance_invalid.html", {"session": session}, status=400
        )
    try:
        applied = register_completions(
            actor=request.user, activity=session.activity, entries=form.entries, session=session
        )
    except Refused as refused:
        messages.error(request, refused.message)
        if refused.code == "session_gone":  # cancelled meanwhile: nothing left to check against
            return redirect("providers:request", code=_request_code(session))
        return _check_page(request, session, form.entries, status=refused.status)
    return render(
        request,
        "providers/attendance_done.html",
        {"session": session, "check": applied, "statuses": LineStatus},
    )


# --- API keys (beheerder) -------------------------------------------------------------------


def _keys_page(
    request: HttpRequest,
    form: ApiKeyForm | None = None,
    new_key: str = "",
    status: int = 200,
) -> HttpResponse:
    provider_id = request_roles(request).contact.organisation_id  # type: ignore[union-attr]
    response = render(
        request,
        "providers/api_keys.html",
        {
            "keys": ApiKey.objects.filter(provider_id=provider_id).order_by(
                "revoked_at", "-created_at", "-id"
            ),
            "form": form or ApiKeyForm(),
            "new_key": new_key,
        },
        status=status,
    )
    # The page that shows a new key once is kept nowhere.
    response["Cache-Control"] = "no-store"
    return response


@provider_manager_only
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _keys_page(request)
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            _, raw = keys.create_api_key(actor=request.user, name=form.cleaned_data["name"])
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            return _keys_page(request, new_key=raw, status=201)
    return _keys_page(request, form, status=400)


@provider_manager_only
@require_POST
def api_key_revoke(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    key = ApiKey.objects.filter(
        provider_id=request_roles(request).contact.organisation_id,  # type: ignore[union-attr]
        code=code,
    ).first()
    if key is None:
        raise Http404
    try:
        keys.revoke_api_key(actor=request.user, key=key)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("De sleutel is ingetrokken; hij werkt niet meer."))
    return redirect("providers:api_keys")

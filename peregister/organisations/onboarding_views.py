"""Public: *Aanvragen account collectieve werkgever*, *Account aanvragen aanbieder*, and the
confirmation page. Both requests are one view over ``Organisation.Kind``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from peregister.accounts import tokens
from peregister.accounts.guards import any_acting_role, public
from peregister.core import ratelimit
from peregister.core.refusals import Refused
from peregister.notifications.mail import delivery_state
from peregister.organisations import services
from peregister.organisations.forms import AccountRequestForm
from peregister.organisations.models import Contact, Organisation
from peregister.organisations.services import OrganisationData

REQUESTS_PER_HOUR = 10
PROMISED_MAIL = "account_request_mail"
PROMISED_KIND = "account_request_kind"
TEMPLATE = "organisations/request_account.html"


def _request_account(request: HttpRequest, kind: str) -> HttpResponse:
    context: dict[str, object] = {"provider": kind == Organisation.Kind.PROVIDER}
    if request.method != "POST":
        return render(request, TEMPLATE, {**context, "form": AccountRequestForm(kind=kind)})
    form = AccountRequestForm(request.POST, kind=kind)
    context["form"] = form
    if not ratelimit.hit_for_client(
        request, "account_request", limit=REQUESTS_PER_HOUR, per_seconds=3600
    ):
        return render(request, TEMPLATE, {**context, "too_many": True}, status=429)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    try:
        organisation = services.request_account(
            actor=request.user,
            kind=kind,
            data=OrganisationData(
                **{field: data[field] for field in OrganisationData.__dataclass_fields__}
            ),
            kvk_number=data["kvk_number"],
            requester_name=data["requester_name"],
            requester_email=data["requester_email"],
            username=data["username"],
            language="en" if (get_language() or "").startswith("en") else "nl",
        )
    except Refused as exc:
        form.add_error(exc.field, exc.message)
        return render(request, TEMPLATE, context, status=400)
    # The confirmation page tells this browser, each time it is opened, how the promised mail
    # is doing: the set-password link, or for an address that has an account the link that
    # confirms the role; the page is the same for both.
    beheerder = organisation.contacts.get(role=Contact.Role.ADMINISTRATOR)
    request.session[PROMISED_MAIL] = services.invitation_topic(beheerder)
    request.session[PROMISED_KIND] = kind
    return redirect("onboarding:request_sent")


@public
def request_account(request: HttpRequest) -> HttpResponse:
    return _request_account(request, Organisation.Kind.EMPLOYER)


@public
def request_provider_account(request: HttpRequest) -> HttpResponse:
    return _request_account(request, Organisation.Kind.PROVIDER)


@public
def request_sent(request: HttpRequest) -> HttpResponse:
    mail = delivery_state(request.session.get(PROMISED_MAIL, ""))
    provider = request.session.get(PROMISED_KIND) == Organisation.Kind.PROVIDER
    return render(request, "organisations/request_sent.html", {"mail": mail, "provider": provider})


# Accepting or declining is about the account, not about the role it acts in.
@any_acting_role
@public
def role_offer(request: HttpRequest, token: str) -> HttpResponse:
    """An existing account's person accepts or declines a role offered by an organisation,
    through the single-use link mailed to them; nothing gives access before they accept."""
    offer = services.open_role_offer(actor=request.user, raw=token)
    if offer.contact is None:
        return _role_link_unusable(request, offer.state)
    if offer.login_needed:
        # The link alone answers nothing: log in as the invited account, then back here.
        messages.info(request, services.LOGIN_NEEDED_MESSAGE)
        return redirect_to_login(request.path)
    if request.method != "POST":
        if offer.wrong_account:  # opening is not recorded; an answer is (below)
            return _wrong_account(request)
        return render(request, "organisations/role_offer.html", {"contact": offer.contact})
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline") and not offer.wrong_account:
        context = {"contact": offer.contact, "error": True}
        return render(request, "organisations/role_offer.html", context, status=400)
    try:
        accepted = services.answer_role_offer(
            actor=request.user, raw_token=token, accept=answer == "accept"
        )
    except Refused as refused:
        if refused.code == services.WRONG_ACCOUNT:
            return _wrong_account(request)
        if refused.code == services.LOGIN_NEEDED:  # logged out meanwhile
            return redirect_to_login(request.path)
        return _role_link_unusable(request, tokens.TokenState(refused.code))
    return render(
        request,
        "organisations/role_offer_answered.html",
        {"accepted": accepted, "organisation": offer.contact.organisation},
    )


def _wrong_account(request: HttpRequest) -> HttpResponse:
    """Only the account the role was offered to answers; nothing of the offer is shown."""
    return render(
        request,
        "organisations/role_offer_wrong_account.html",
        {"explanation": services.WRONG_ACCOUNT_MESSAGE},
        status=403,
    )


def _role_link_unusable(request: HttpRequest, state: tokens.TokenState) -> HttpResponse:
    # Like the set-password links: unknown is any unknown page (404), used or expired is gone.
    status = 404 if state is tokens.TokenState.UNKNOWN else 410
    return render(
        request,
        "organisations/role_link_unusable.html",
        {"explanation": services.ROLE_LINK_MESSAGES[state]},
        status=status,
    )

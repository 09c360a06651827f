"""Public: *Aanvragen account collectieve werkgever* and its confirmation page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from peregister.accounts.guards import public
from peregister.accounts.services import set_password_topic
from peregister.core import ratelimit
from peregister.core.refusals import Refused
from peregister.notifications.mail import delivery_state
from peregister.organisations import services
from peregister.organisations.forms import AccountRequestForm
from peregister.organisations.models import Contact
from peregister.organisations.services import OrganisationData

REQUESTS_PER_HOUR = 10
PROMISED_MAIL = "account_request_mail"
TEMPLATE = "organisations/request_account.html"


@public
def request_account(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": AccountRequestForm()})
    form = AccountRequestForm(request.POST)
    if not ratelimit.hit_for_client(
        request, "account_request", limit=REQUESTS_PER_HOUR, per_seconds=3600
    ):
        return render(request, TEMPLATE, {"form": form, "too_many": True}, status=429)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    data = form.cleaned_data
    try:
        organisation = services.request_employer_account(
            actor=request.user,
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
        return render(request, TEMPLATE, {"form": form}, status=400)
    # The confirmation page tells this browser, each time it is opened, how the promised mail
    # with the set-password link is doing.
    beheerder = organisation.contacts.get(role=Contact.Role.ADMINISTRATOR)
    request.session[PROMISED_MAIL] = set_password_topic(beheerder.user_id)
    return redirect("onboarding:request_sent")


@public
def request_sent(request: HttpRequest) -> HttpResponse:
    mail = delivery_state(request.session.get(PROMISED_MAIL, ""))
    return render(request, "organisations/request_sent.html", {"mail": mail})

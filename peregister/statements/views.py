"""*PE-verklaring*: the professional's pages, the public verification page and the JWKS."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peregister.accounts.guards import professional_only, public
from peregister.accounts.roles import request_professional
from peregister.core import clock, ratelimit
from peregister.core.pdf import render_pdf
from peregister.core.refusals import Refused
from peregister.registry.models import Professional, Registration
from peregister.registry.standing import Standing, standings
from peregister.statements import content, keys, qr, services, signing
from peregister.statements.forms import StatementForm
from peregister.statements.models import Statement
from peregister.statements.status import live_status, live_statuses

logger = logging.getLogger(__name__)

# The public page: per client address, generous for a person, tight for a script.
VERIFY_LIMIT = 30
VERIFY_WINDOW_SECONDS = 60
# Per person: signing and rendering cost the server; nobody needs more in an hour.
CREATE_LIMIT = 10
PDF_LIMIT = 10
HOUR = 3600
# The link's secret waits in the session from the POST until the page shows it (once).
NEW_LINK_SESSION_KEY = "statement_new_link"
NEW_LINK_SECONDS = 300


def _own_statement_or_404(request: HttpRequest, code: uuid.UUID) -> Statement:
    """Someone else's statement looks exactly like one that does not exist."""
    return get_object_or_404(
        Statement.objects.select_related("registration__register", "professional"),
        code=code,
        professional=request_professional(request),
    )


def share_url(token: str) -> str:
    """The public link; from the configured site URL, never from the request's Host header."""
    return f"{settings.SITE_URL}{reverse('statements_public:verify', args=[token])}"


def jwks_url() -> str:
    return f"{settings.SITE_URL}{reverse('statements_public:jwks')}"


@professional_only
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = list(
        Statement.objects.filter(professional=request_professional(request)).select_related(
            "registration__register"
        )
    )
    rows = list(zip(statements, live_statuses(statements, clock.now()), strict=True))
    return render(request, "statements/list.html", {"rows": rows})


def _registrations_by_standing(
    professional: Professional,
) -> tuple[list[Registration], list[tuple[Registration, Standing]]]:
    """Registrations a statement can be about (active today by the period rule), and those
    whose period ran out short though ``close_periods`` has not marked them yet."""
    registrations = list(
        professional.registrations.filter(status=Registration.Status.ACTIVE)
        .select_related("register", "professional")
        .order_by("register__name")
    )
    current = standings(registrations, clock.today())
    active = [r for r in registrations if current[r.pk].active]
    ran_out = [(r, current[r.pk]) for r in registrations if not current[r.pk].active]
    return active, ran_out


@professional_only
@require_http_methods(["GET", "POST"])
def statement_new(request: HttpRequest) -> HttpResponse:
    """Choose what to include and for how long; making it shows the link once."""
    professional = request_professional(request)
    registrations, ran_out = _registrations_by_standing(professional)
    form = StatementForm(
        request.POST if request.method == "POST" else None, registrations=registrations
    )
    context = {"form": form, "registrations": registrations, "ran_out": ran_out}
    if request.method == "POST" and form.is_valid():
        if not ratelimit.hit(
            "statement-create", str(request.user.pk), limit=CREATE_LIMIT, per_seconds=HOUR
        ):
            response = render(request, "statements/new.html", {**context, "too_many": True})
            response.status_code = 429
            return ratelimit.retry_after(response, HOUR)
        try:
            created = services.create_statement(
                actor=request.user,
                registration=form.registration,
                choices=form.choices,
                valid_days=form.cleaned_data["valid_days"],
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        except keys.SigningKeyError as exc:
            # The operator's to fix (a retired or unreadable key); the message names no key.
            logger.error("PE-verklaring not signed: %s", exc)
            return render(
                request, "statements/new.html", {**context, "cannot_sign": True}, status=503
            )
        else:
            # Post, redirect, get: refreshing the page shows it again and makes nothing new.
            request.session[NEW_LINK_SESSION_KEY] = {
                "statement": str(created.statement.code),
                "token": created.token,
                "until": int(clock.now().timestamp()) + NEW_LINK_SECONDS,
            }
            return HttpResponseRedirect(
                reverse("statements:created", args=[created.statement.code])
            )
    status = 400 if form.is_bound else 200
    return render(request, "statements/new.html", context, status=status)


def _new_link(request: HttpRequest, statement: Statement) -> str | None:
    """The just-made statement's link secret, taken out of the session: shown once."""
    held = request.session.get(NEW_LINK_SESSION_KEY)
    if not isinstance(held, dict) or held.get("statement") != str(statement.code):
        return None
    del request.session[NEW_LINK_SESSION_KEY]
    token = held.get("token")
    fresh = int(held.get("until", 0)) >= int(clock.now().timestamp())
    if fresh and isinstance(token, str) and services.token_matches(statement, token):
        return token
    return None


@professional_only
@require_GET
def statement_created(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The page right after making a statement: its link, once; refreshed, it says so."""
    statement = _own_statement_or_404(request, code)
    token = _new_link(request, statement)
    if token is None:
        response = render(request, "statements/link_shown.html", {"statement": statement})
    else:
        facts = signed_content(statement)
        if facts is None:
            return _unreadable(request, statement)
        response = render(
            request, "statements/created.html", _statement_context(statement, facts, token)
        )
    # The page holds (or held) the link's secret: keep it out of every cache.
    response["Cache-Control"] = "no-store"
    return response


def signed_content(statement: Statement) -> content.Content | None:
    """What the statement says, read from its JWT; ``None`` when the register's published keys
    do not confirm the signature (a retired key, a changed byte) or the credential does not
    read as a PE-verklaring. Pages then say *klopt niet* and show nothing of it."""
    claims = signing.check(statement.jwt)
    if claims is None:
        return None
    try:
        return content.read(claims)
    except content.MalformedCredential:
        return None


def _unreadable(request: HttpRequest, statement: Statement) -> HttpResponse:
    return render(request, "statements/unreadable.html", {"statement": statement}, status=409)


def _statement_context(statement: Statement, facts: content.Content, token: str) -> dict[str, Any]:
    """What the PDF and the page made right after creation show: read from the signed JWT."""
    url = share_url(token)
    return {
        "statement": statement,
        "content": facts,
        "url": url,
        "qr": qr.svg_data_uri(url),
        "token": token,
        "site_name": settings.SITE_NAME,
        "jwks_url": jwks_url(),
    }


def _attachment(data: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filename(statement: Statement, extension: str) -> str:
    return f"pe-verklaring-{statement.issued_at:%Y-%m-%d}-{str(statement.code)[:8]}.{extension}"


@professional_only
@require_POST
def statement_pdf(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The PDF with the QR code; it needs the link's token, which only the creator was shown."""
    statement = _own_statement_or_404(request, code)
    token = request.POST.get("token", "")
    if not services.token_matches(statement, token):
        raise Http404
    if not ratelimit.hit("statement-pdf", str(request.user.pk), limit=PDF_LIMIT, per_seconds=HOUR):
        response = render(request, "statements/too_many.html", {"per_person": True}, status=429)
        return ratelimit.retry_after(response, HOUR)
    facts = signed_content(statement)
    if facts is None:
        return _unreadable(request, statement)
    pdf = render_pdf(
        "statements/statement_pdf.html",
        _statement_context(statement, facts, token),
        request=request,
        attachments={_filename(statement, "jwt"): statement.jwt.encode()},
    )
    return _attachment(pdf, "application/pdf", _filename(statement, "pdf"))


@professional_only
@require_GET
def statement_jwt(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The signed credential itself (holds no link): anyone can check it against the JWKS."""
    statement = _own_statement_or_404(request, code)
    return _attachment(statement.jwt, "application/vc+jwt", _filename(statement, "jwt"))


@professional_only
@require_http_methods(["GET", "POST"])
def statement_withdraw(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    statement = _own_statement_or_404(request, code)
    if statement.withdrawn_at is not None:
        messages.info(request, _("Deze PE-verklaring is al ingetrokken."))
        return HttpResponseRedirect(reverse("statements:list"))
    if request.method == "POST":
        try:
            services.withdraw_statement(actor=request.user, statement=statement)
        except Refused as exc:
            messages.info(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "De PE-verklaring is ingetrokken. Wie de link opent, ziet alleen nog dat "
                    "hij is ingetrokken."
                ),
            )
        return HttpResponseRedirect(reverse("statements:list"))
    return render(request, "statements/withdraw.html", {"statement": statement})


@public
@require_GET
@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The public verification page: what the statement said, whether the register signed it,
    and its live status. An unknown link is the site's ordinary 404."""
    if not ratelimit.hit_for_client(
        request, "statement-verify", limit=VERIFY_LIMIT, per_seconds=VERIFY_WINDOW_SECONDS
    ):
        response = render(request, "statements/too_many.html", status=429)
        return ratelimit.retry_after(response, VERIFY_WINDOW_SECONDS)
    statement = services.find_by_token(token)
    if statement is None:
        raise Http404
    services.record_verification(statement)
    live = live_status(statement, clock.now())
    facts = signed_content(statement) if live.shows_content else None
    response = render(
        request,
        "statements/verify.html",
        {
            "live": live,
            "signature_ok": facts is not None,
            "content": facts,
            "site_name": settings.SITE_NAME,
            "jwks_url": jwks_url(),
        },
    )
    # The URL is the secret: no Referer to anywhere, no search engine.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The register's public signing keys (RFC 7517), old ones included."""
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response

"""Passkeys (WebAuthn) as a second factor: py_webauthn makes the options and checks the answers.

The relying party is the register's own address (``SITE_URL``): its host name is the RP id and
its origin the only origin accepted. The challenge waits in the session for one answer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from peregister.accounts.models import PasskeyCredential

CHALLENGE_KEY = "pe_passkey_challenge"
# A credential answer is a few kilobytes; anything much larger is not one.
MAX_ANSWER_BYTES = 64 * 1024


class PasskeyRefused(Exception):
    """The browser's answer did not verify (wrong origin, challenge, signature, or garbage)."""


def _rp_id() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _origin() -> str:
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _passkeys_of(user: Any) -> QuerySet[PasskeyCredential]:
    return PasskeyCredential.objects.filter(user=user)


def _remember(request: HttpRequest, purpose: str, challenge: bytes) -> None:
    request.session[CHALLENGE_KEY] = {
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
    }


def _take_challenge(request: HttpRequest, purpose: str) -> bytes:
    stored = request.session.pop(CHALLENGE_KEY, None)
    if not isinstance(stored, dict) or stored.get("purpose") != purpose:
        raise PasskeyRefused("no challenge")
    return base64url_to_bytes(str(stored["challenge"]))


def _answer(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_ANSWER_BYTES:
        raise PasskeyRefused("too large")
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise PasskeyRefused("not JSON") from error
    if not isinstance(answer, dict) or not isinstance(answer.get("credential"), dict):
        raise PasskeyRefused("no credential")
    return answer


def registration_options(request: HttpRequest) -> str:
    """Options for ``navigator.credentials.create`` (JSON), excluding the user's own keys."""
    user = request.user
    options = generate_registration_options(
        rp_id=_rp_id(),
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=user.get_username(),
        user_id=str(user.pk).encode(),
        user_display_name=getattr(user, "display_name", user.get_username()),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(p.credential_id)) for p in _passkeys_of(user)
        ],
    )
    _remember(request, "register", options.challenge)
    return options_to_json(options)


def verify_registration(request: HttpRequest, body: bytes) -> tuple[str, bytes, bytes, int]:
    """The new credential (name, id, public key, sign count) once py_webauthn accepts it."""
    challenge = _take_challenge(request, "register")
    answer = _answer(body)
    try:
        verified = verify_registration_response(
            credential=answer["credential"],
            expected_challenge=challenge,
            expected_rp_id=_rp_id(),
            expected_origin=_origin(),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(type(error).__name__) from error
    name = str(answer.get("name") or "").strip()[:64]
    return name, verified.credential_id, verified.credential_public_key, verified.sign_count


def authentication_options(request: HttpRequest) -> str:
    """Options for ``navigator.credentials.get`` listing the user's passkeys."""
    options = generate_authentication_options(
        rp_id=_rp_id(),
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(p.credential_id))
            for p in _passkeys_of(request.user)
        ],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _remember(request, "authenticate", options.challenge)
    return options_to_json(options)


def verify_authentication(request: HttpRequest, body: bytes) -> tuple[PasskeyCredential, int]:
    """The user's passkey that signed the challenge, and its new sign count."""
    challenge = _take_challenge(request, "authenticate")
    credential = _answer(body)["credential"]
    try:
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id")))
    except (ValueError, TypeError) as error:
        raise PasskeyRefused("bad id") from error
    passkey = next(
        (p for p in _passkeys_of(request.user) if bytes(p.credential_id) == raw_id),
        None,
    )
    if passkey is None:
        raise PasskeyRefused("unknown credential")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(),
            expected_origin=_origin(),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(type(error).__name__) from error
    return passkey, verified.new_sign_count

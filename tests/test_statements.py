"""*PE-verklaring*: what the three forms say, who can check them, and what the link says later.

The signature is checked with libraries that did not make it (PyJWT, and `cryptography` on the
raw Ed25519 bytes), against the JWKS the register publishes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
from typing import Any

import jwt as pyjwt
import pytest
import time_machine
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.test import Client
from joserfc.jwk import OKPKey

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import Registration
from peregister.statements import content, services
from peregister.statements.models import PublishedKey, Statement
from tests import factories
from tests.conftest import World, client_for
from tests.statements_helpers import (
    LINK,
    make_statement,
    pdf_attachments,
    pdf_text,
    qr_codes_in_pdf,
    verify_path,
)

JWKS = "/.well-known/jwks.json"


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _registration(world: World) -> Registration:
    return world.professional.registrations.get()


def _jwks() -> dict:
    response = Client().get(JWKS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def _pyjwt_claims(token: str, jwks: dict) -> dict:
    """Verify as an outside verifier would: the key named by ``kid`` from the public JWKS."""
    kid = pyjwt.get_unverified_header(token)["kid"]
    key = pyjwt.PyJWKSet.from_dict(jwks)[kid]
    return pyjwt.decode(token, key=key, algorithms=["EdDSA"], issuer=settings.SITE_URL)


def _raw_ed25519_check(token: str, jwks: dict) -> None:
    """The signature over ``header.payload`` with `cryptography` alone (raises when wrong)."""
    header, payload, signature = token.split(".")
    kid = json.loads(_b64decode(header))["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    public = Ed25519PublicKey.from_public_bytes(_b64decode(jwk["x"]))
    public.verify(_b64decode(signature), f"{header}.{payload}".encode())


def _create(world: World, **data: str) -> tuple[Client, Any]:
    client = client_for(world.professional.user)
    form = {
        "register": "up",
        "include_registration_number": "on",
        "include_period": "on",
        "include_points": "on",
        "valid_days": "30",
        **data,
    }
    # Following the redirect: the page right after making it, with the link.
    return client, client.post("/mijn/verklaringen/nieuw/", form, follow=True)


def _link(response) -> tuple[str, str]:
    match = LINK.search(response.content.decode())
    assert match, "the created page shows the share link"
    return match.group(0), match.group(1)


# --- making one: the link, the JWT, the PDF ------------------------------------------------


def test_professional_makes_a_statement_and_sees_the_link_once(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, activity__points=5)
    client, response = _create(world)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    url, token = _link(response)
    assert url == f"{settings.SITE_URL}/verklaring/{token}/"
    statement = Statement.objects.get()
    # Only the hash of the link's secret is stored.
    assert token not in statement.token_hash
    assert services.hash_token(token) == statement.token_hash
    assert token not in json.dumps(list(Statement.objects.values()), default=str)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STATEMENT_CREATED).count() == 1
    # The list shows it, without the link.
    listing = client.get("/mijn/verklaringen/").content.decode()
    assert "geldig" in listing
    assert token not in listing


def test_the_jwt_verifies_with_pyjwt_against_the_published_jwks(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, activity__points=5)
    statement, _token = make_statement(_registration(world))
    header = pyjwt.get_unverified_header(statement.jwt)
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "kid": statement.kid}
    jwks = _jwks()
    claims = _pyjwt_claims(statement.jwt, jwks)
    _raw_ed25519_check(statement.jwt, jwks)
    # An Open Badges 3.0 achievement credential (VC Data Model 2.0).
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in claims["@context"]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["id"] == claims["jti"] == f"urn:uuid:{statement.code}"
    assert claims["issuer"]["id"] == settings.SITE_URL
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["licenseNumber"] == world.professional.registration_number
    assert subject["identifier"][0]["identityHash"] == world.professional.full_name
    assert subject["creditsEarned"] == 5
    assert subject["achievement"]["name"] == "Uitzendprofessional"
    values = [result["value"] for result in subject["result"]]
    assert values == ["active", "on_track", "5"]
    assert claims["exp"] - claims["iat"] == 30 * 24 * 3600
    # The JWT download is that same token.
    response = client_for(world.professional.user).get(
        f"/mijn/verklaringen/{statement.code}/verklaring.jwt"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.decode() == statement.jwt


@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_changed_byte_fails_verification(world: World, part: int) -> None:
    statement, _token = make_statement(_registration(world))
    jwks = _jwks()
    parts = statement.jwt.split(".")
    raw = bytearray(_b64decode(parts[part]))
    # One byte: in the header one of ``vc+jwt`` (so the kid still names the key), elsewhere
    # the middle byte.
    position = raw.index(b"vc+jwt") + 5 if part == 0 else len(raw) // 2
    raw[position] ^= 0x01
    parts[part] = _b64encode(bytes(raw))
    tampered = ".".join(parts)
    assert tampered != statement.jwt
    with pytest.raises(pyjwt.InvalidSignatureError):
        _pyjwt_claims(tampered, jwks)
    with pytest.raises(InvalidSignature):
        _raw_ed25519_check(tampered, jwks)
    _pyjwt_claims(statement.jwt, jwks)  # the untouched one still verifies


def test_what_is_left_out_is_in_no_form(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, activity__points=5)
    client, response = _create(world, include_registration_number="", include_points="")
    assert response.status_code == 200
    _url, token = _link(response)
    statement = Statement.objects.get()
    claims = pyjwt.decode(statement.jwt, options={"verify_signature": False})
    subject = claims["credentialSubject"]
    assert "licenseNumber" not in subject
    assert "creditsEarned" not in subject
    assert [r["value"] for r in subject["result"]] == ["active", "on_track"]
    page = Client().get(verify_path(token)).content.decode()
    assert world.professional.registration_number not in page
    assert "PE-punten" not in page
    assert world.professional.full_name in page
    pdf = client.post(f"/mijn/verklaringen/{statement.code}/pdf/", {"token": token})
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert world.professional.full_name in text
    assert world.professional.registration_number not in text
    assert "PE-punten" not in text


def test_the_pdf_carries_a_qr_code_that_opens_the_verification_page(world: World) -> None:
    client, response = _create(world)
    url, token = _link(response)
    statement = Statement.objects.get()
    pdf = client.post(f"/mijn/verklaringen/{statement.code}/pdf/", {"token": token})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert qr_codes_in_pdf(pdf.content) == [url]
    text = pdf_text(pdf.content)
    assert world.professional.full_name in text
    assert "Uitzendprofessional" in text
    # The signed JWT travels inside the PDF as an attachment.
    assert list(pdf_attachments(pdf.content).values()) == [statement.jwt.encode()]


def test_the_pdf_needs_the_link_it_encodes(world: World) -> None:
    statement, token = make_statement(_registration(world))
    client = client_for(world.professional.user)
    for wrong in ["", "x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), token * 2]:
        response = client.post(f"/mijn/verklaringen/{statement.code}/pdf/", {"token": wrong})
        assert response.status_code == 404


# --- the public page and its live status -----------------------------------------------------


def test_the_verification_page_shows_what_the_statement_said_and_geldig(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, activity__points=5)
    _statement, token = make_statement(_registration(world))
    factories.CompletionFactory(professional=world.professional, activity__points=7)
    response = Client().get(verify_path(token))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert "geldig" in body
    assert "klopt" in body
    assert "klopt niet" not in body
    assert world.professional.full_name in body
    # What the statement said on its date (5 points), not today's figure (12).
    assert "5 van de 12 vereiste punten" in body
    assert "12 van de 12" not in body
    # Never more than the statement contained.
    assert "Workshop" not in body
    assert "De Brug" not in body


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Registration.Status.LAPSED, "registratie sindsdien vervallen"),
        (Registration.Status.ENDED, "registratie sindsdien beëindigd"),
    ],
)
def test_a_since_lapsed_or_ended_registration_shows_as_such_and_when(
    world: World, status: str, label: str
) -> None:
    registration = _registration(world)
    _statement, token = make_statement(registration)
    when = dt.datetime(2026, 12, 1, 0, 5, tzinfo=clock.AMSTERDAM)
    Registration.objects.filter(pk=registration.pk).update(status=status, status_changed_at=when)
    body = Client().get(verify_path(token)).content.decode()
    assert label in body
    assert "1 december 2026" in body
    # The statement itself still says what it said then.
    assert "actief" in body
    assert world.professional.full_name in body


def test_a_withdrawn_link_says_withdrawn_and_shows_nothing_else(world: World) -> None:
    statement, token = make_statement(_registration(world))
    client = client_for(world.professional.user)
    assert client.get(f"/mijn/verklaringen/{statement.code}/intrekken/").status_code == 200
    response = client.post(f"/mijn/verklaringen/{statement.code}/intrekken/")
    assert response.status_code == 302
    body = Client().get(verify_path(token)).content.decode()
    assert "ingetrokken" in body
    assert world.professional.full_name not in body
    assert world.professional.registration_number not in body
    # Withdrawing twice changes nothing and says so.
    again = client.post(f"/mijn/verklaringen/{statement.code}/intrekken/", follow=True)
    assert "al ingetrokken" in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STATEMENT_WITHDRAWN).count() == 1


def test_an_expired_link_says_expired_and_shows_nothing_else(world: World) -> None:
    statement, token = make_statement(_registration(world), valid_days=2)
    with time_machine.travel(statement.valid_until + dt.timedelta(seconds=1)):
        body = Client().get(verify_path(token)).content.decode()
    assert "link verlopen" in body
    assert world.professional.full_name not in body
    with time_machine.travel(statement.valid_until - dt.timedelta(seconds=1)):
        assert "geldig" in Client().get(verify_path(token)).content.decode()


def test_an_unknown_token_is_the_ordinary_404(world: World) -> None:
    _statement, _token = make_statement(_registration(world))
    ordinary_path, unknown_path = "/bestaat-niet/", verify_path("A" * 43)
    ordinary, unknown = Client().get(ordinary_path), Client().get(unknown_path)
    assert unknown.status_code == ordinary.status_code == 404

    def normalised(body: bytes, path: str) -> str:
        # The language switch carries a fresh CSRF token and the page's own path.
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode())
        return text.replace(path, "PATH")

    assert normalised(unknown.content, unknown_path) == normalised(ordinary.content, ordinary_path)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STATEMENT_VERIFIED).exists()


@pytest.mark.parametrize(
    "garbage",
    ["x", "%00", "A" * 42, "A" * 44, "A" * 5000, "%E2%98%83" * 15, "..%2F..%2Fetc", "ÄÖÜ" * 15],
)
def test_garbage_tokens_are_404(world: World, garbage: str) -> None:
    response = Client().get(f"/verklaring/{garbage}/")
    assert response.status_code == 404


def test_a_tampered_stored_statement_shows_the_signature_does_not_hold(world: World) -> None:
    statement, token = make_statement(_registration(world))
    header, payload, signature = statement.jwt.split(".")
    claims = json.loads(_b64decode(payload))
    claims["credentialSubject"]["result"][0]["value"] = "vervallen"
    forged = f"{header}.{_b64encode(json.dumps(claims).encode())}.{signature}"
    Statement.objects.filter(pk=statement.pk).update(jwt=forged)
    body = Client().get(verify_path(token)).content.decode()
    assert "klopt niet" in body
    assert world.professional.full_name not in body  # unverified content is not shown


def test_each_verification_is_in_wie_bekeek_mijn_dossier_with_date_and_time_only(
    world: World,
) -> None:
    statement, token = make_statement(_registration(world))
    moment = dt.datetime(2026, 11, 20, 14, 7, tzinfo=clock.AMSTERDAM)
    with time_machine.travel(moment, tick=False):
        Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Verifier/1.0").get(verify_path(token))
    Client().get(verify_path(token))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.STATEMENT_VERIFIED).first()
    assert event is not None
    assert event.actor is None
    assert event.organisation is None
    assert event.contact is None
    assert event.data == {"statement": str(statement.code)}
    statement.refresh_from_db()
    assert statement.verification_count == 2
    log = client_for(world.professional.user).get("/mijn/wie-bekeek-mijn-dossier/")
    body = log.content.decode()
    assert "20-11-2026" in body  # the table date format
    assert "14:07" in body
    assert body.count("PE-verklaring bekeken") == 2
    # Which statement was opened: its kenmerk, as the statement list shows it.
    reference = str(statement.code)[:8]
    assert body.count(f"kenmerk {reference}") == 2
    assert (
        reference in client_for(world.professional.user).get("/mijn/verklaringen/").content.decode()
    )
    assert "203.0.113.9" not in body
    assert "Verifier" not in body


def _within_one_minute() -> time_machine.travel:
    """The limiter counts per minute window: keep a test's requests inside one window."""
    return time_machine.travel(clock.now().replace(second=5, microsecond=0), tick=False)


def test_the_public_page_is_rate_limited_per_address(world: World) -> None:
    with _within_one_minute():
        _statement, token = make_statement(_registration(world))
        client = Client(REMOTE_ADDR="198.51.100.7")
        statuses = [client.get(verify_path(token)).status_code for _ in range(31)]
        assert statuses[:30] == [200] * 30
        assert statuses[30] == 429
        assert Client(REMOTE_ADDR="198.51.100.8").get(verify_path(token)).status_code == 200


# --- keys: rotation, production, logs ----------------------------------------------------------


def _pem() -> str:
    return OKPKey.generate_key("Ed25519").as_pem(private=True).decode()


def test_key_rotation_keeps_old_statements_verifiable(world: World, settings) -> None:
    settings.STATEMENT_SIGNING_KEY = _pem()
    old, old_token = make_statement(_registration(world))
    settings.STATEMENT_SIGNING_KEY = _pem()
    new, _new_token = make_statement(_registration(world))
    assert old.kid != new.kid
    jwks = _jwks()
    assert {k["kid"] for k in jwks["keys"]} == {old.kid, new.kid}
    assert all("d" not in k for k in jwks["keys"])  # public halves only
    _pyjwt_claims(old.jwt, jwks)
    _pyjwt_claims(new.jwt, jwks)
    body = Client().get(verify_path(old_token)).content.decode()
    assert "klopt" in body
    assert "klopt niet" not in body
    assert PublishedKey.objects.count() == 2


def test_the_jwks_lists_the_current_key_before_it_signed(db: None) -> None:
    jwks = _jwks()
    assert len(jwks["keys"]) == 1
    assert set(jwks["keys"][0]) == {"kty", "crv", "x", "kid", "use", "alg"}


def test_signing_never_logs_the_key(world: World, settings, caplog) -> None:
    pem = _pem()
    settings.STATEMENT_SIGNING_KEY = pem
    secret = pem.splitlines()[1]
    with caplog.at_level(logging.DEBUG):
        statement, token = make_statement(_registration(world))
        Client().get(verify_path(token))
        client_for(world.professional.user).post(
            f"/mijn/verklaringen/{statement.code}/pdf/", {"token": token}
        )
    assert secret not in caplog.text
    assert token not in caplog.text


def test_a_configured_key_that_is_not_ed25519_is_refused_without_quoting_it(
    world: World, settings
) -> None:
    settings.STATEMENT_SIGNING_KEY = (
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(Exception, match="Ed25519") as raised:
        make_statement(_registration(world))
    assert "c2VjcmV0" not in str(raised.value)
    assert not Statement.objects.exists()


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days", ["0", "366", "-1", "abc", "١٢", "１２", "", "9" * 20, "30.5", "1e3", " "]
)
def test_absurd_validity_is_refused_with_a_message(world: World, days: str) -> None:
    _client, response = _create(world, valid_days=days)
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not Statement.objects.exists()


@pytest.mark.parametrize("register", ["", "nope", "up\x00", "u" * 500, "../up"])
def test_a_garbage_register_is_refused(world: World, register: str) -> None:
    _client, response = _create(world, register=register)
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_no_statement_about_a_lapsed_registration(world: World) -> None:
    registration = _registration(world)
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.LAPSED)
    client, response = _create(world)
    assert response.status_code == 400
    assert not Statement.objects.exists()
    page = client.get("/mijn/verklaringen/nieuw/").content.decode()
    assert "geen actieve PE-registratie" in page
    registration.refresh_from_db()
    with pytest.raises(Refused):
        make_statement(registration)


def test_a_statement_of_someone_else_is_404_and_the_service_refuses_other_actors(
    world: World,
) -> None:
    statement, token = make_statement(_registration(world))
    other = factories.RegistrationFactory(register=_registration(world).register).professional
    client = client_for(other.user)
    code = statement.code
    assert client.get(f"/mijn/verklaringen/{code}/verklaring.jwt").status_code == 404
    assert client.get(f"/mijn/verklaringen/{code}/intrekken/").status_code == 404
    assert client.post(f"/mijn/verklaringen/{code}/intrekken/").status_code == 404
    assert client.post(f"/mijn/verklaringen/{code}/pdf/", {"token": token}).status_code == 404
    with pytest.raises(Refused):
        services.withdraw_statement(actor=other.user, statement=statement)
    with pytest.raises(Refused):
        services.create_statement(
            actor=other.user, registration=_registration(world), choices=content.Choices()
        )
    statement.refresh_from_db()
    assert statement.withdrawn_at is None


@pytest.mark.parametrize("number", [True, False])
@pytest.mark.parametrize("period", [True, False])
@pytest.mark.parametrize("points", [True, False])
def test_the_credential_reads_back_to_what_was_collected(
    world: World, number: bool, period: bool, points: bool
) -> None:
    """The PDF and the pages render what ``read()`` finds in the signed credential: it must be
    exactly what was collected, for every choice."""
    factories.CompletionFactory(professional=world.professional, activity__points=3)
    issued_at = clock.now().replace(microsecond=0)
    collected = content.collect(
        _registration(world),
        content.Choices(registration_number=number, period=period, points=points),
        issued_at=issued_at,
        valid_until=issued_at + dt.timedelta(days=30),
    )
    assert (collected.registration_number is not None) == number
    assert (collected.period_start is not None) == period
    assert (collected.points_earned == 3) == points
    assert content.read(content.credential(collected, code="x")) == collected


@pytest.mark.parametrize(
    "document",
    [{}, {"credentialSubject": None}, {"credentialSubject": {"achievement": {}}}, []],
)
def test_reading_a_credential_of_another_shape_is_refused(document: object) -> None:
    with pytest.raises(content.MalformedCredential):
        content.read(document)  # type: ignore[arg-type]


# --- what an issued statement keeps meaning ----------------------------------------------------


def test_the_credential_signs_stable_codes_with_their_dutch_label_beside_them(
    world: World,
) -> None:
    factories.CompletionFactory(professional=world.professional, activity__points=5)
    statement, _token = make_statement(_registration(world))
    claims = _pyjwt_claims(statement.jwt, _jwks())
    subject = claims["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["active", "on_track", "5"]
    levels = {
        level["id"]: level["name"]
        for description in subject["achievement"]["resultDescription"]
        for level in description.get("rubricCriterionLevel", [])
    }
    assert [levels[r["achievedLevel"]] for r in subject["result"][:2]] == ["actief", "op schema"]


def test_renaming_a_status_label_keeps_issued_statements_readable(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, response = _create(world)
    _url, token = _link(response)
    statement = Statement.objects.get()
    # A later version calls the status differently: the statement keeps its meaning.
    monkeypatch.setattr(Registration.Status.ACTIVE, "_label_", "ingeschreven")
    page = Client().get(verify_path(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert "ingeschreven" in body
    assert "klopt niet" not in body
    pdf = client.post(f"/mijn/verklaringen/{statement.code}/pdf/", {"token": token})
    assert pdf.status_code == 200
    assert "ingeschreven" in pdf_text(pdf.content)


def test_a_code_this_version_does_not_know_shows_the_label_it_was_signed_with(
    world: World,
) -> None:
    issued_at = clock.now().replace(microsecond=0)
    collected = content.collect(
        _registration(world),
        content.Choices(),
        issued_at=issued_at,
        valid_until=issued_at + dt.timedelta(days=30),
    )
    document = content.credential(collected, code="x")
    result = document["credentialSubject"]["result"][0]
    result["value"] = "suspended"
    [description] = [
        d
        for d in document["credentialSubject"]["achievement"]["resultDescription"]
        if d["id"] == result["resultDescription"]
    ]
    description["rubricCriterionLevel"].append(
        {"id": "urn:x:suspended", "type": ["RubricCriterionLevel"], "name": "geschorst"}
    )
    result["achievedLevel"] = "urn:x:suspended"
    assert content.read(document).registration_status_label == "geschorst"


def test_a_signed_credential_that_does_not_parse_shows_klopt_niet_and_never_500(
    world: World,
) -> None:
    from peregister.statements import signing

    client, response = _create(world)
    _url, token = _link(response)
    statement = Statement.objects.get()
    odd = signing.sign(
        {"id": f"urn:uuid:{statement.code}", "credentialSubject": {"result": "?"}},
        issued_at=statement.issued_at,
        expires_at=statement.valid_until,
    )
    Statement.objects.filter(pk=statement.pk).update(jwt=odd.token)
    page = Client().get(verify_path(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert "klopt niet" in body
    assert world.professional.full_name not in body
    pdf = client.post(f"/mijn/verklaringen/{statement.code}/pdf/", {"token": token})
    assert pdf.status_code == 409
    assert "klopt niet" in pdf.content.decode()


# --- the period rule, whether or not close_periods has run -------------------------------------


def _period_ending(registration: Registration, end: dt.date) -> None:
    registration.periods.update(start=end - dt.timedelta(days=730), end=end)


def test_no_statement_about_a_registration_whose_period_ran_out_short(world: World) -> None:
    """The daily close_periods has not run yet: the stored status still says active."""
    registration = _registration(world)
    _period_ending(registration, clock.today() - dt.timedelta(days=1))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ACTIVE
    with pytest.raises(Refused, match="vervallen"):
        make_statement(registration)
    client, response = _create(world)
    assert response.status_code == 400
    assert not Statement.objects.exists()
    page = client.get("/mijn/verklaringen/nieuw/").content.decode()
    assert "geen actieve PE-registratie" in page
    assert "liep af op" in page


def test_a_statement_shows_lapsed_from_the_day_after_the_period_ran_out_short(
    world: World,
) -> None:
    registration = _registration(world)
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=clock.AMSTERDAM)):
        _period_ending(registration, dt.date(2026, 11, 25))
        _statement, token = make_statement(registration)
    with time_machine.travel(dt.datetime(2026, 11, 25, 23, 30, tzinfo=clock.AMSTERDAM)):
        assert "geldig" in Client().get(verify_path(token)).content.decode()
    with time_machine.travel(dt.datetime(2026, 11, 26, 0, 30, tzinfo=clock.AMSTERDAM)):
        body = Client().get(verify_path(token)).content.decode()
        listing = client_for(world.professional.user).get("/mijn/verklaringen/").content.decode()
    assert "registratie sindsdien vervallen" in body
    assert "26 november 2026" in body
    assert "registratie sindsdien vervallen" in listing
    registration.refresh_from_db()
    assert registration.status == Registration.Status.ACTIVE  # close_periods has not run


# --- post, redirect, get; limits per person ------------------------------------------------------


def test_refreshing_the_created_page_makes_no_second_statement_and_shows_the_link_once(
    world: World,
) -> None:
    client = client_for(world.professional.user)
    posted = client.post(
        "/mijn/verklaringen/nieuw/", {"register": "up", "include_points": "on", "valid_days": "30"}
    )
    statement = Statement.objects.get()
    created_path = f"/mijn/verklaringen/{statement.code}/gemaakt/"
    assert posted.status_code == 302
    assert posted["Location"] == created_path
    assert LINK.search(posted.content.decode() + posted["Location"]) is None
    first = client.get(created_path)
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store"
    assert LINK.search(first.content.decode())
    again = client.get(created_path)
    assert again.status_code == 200
    assert LINK.search(again.content.decode()) is None
    assert "niet opnieuw" in again.content.decode()
    assert Statement.objects.count() == 1
    # The link's secret did not stay in the session.
    match = LINK.search(first.content.decode())
    assert match is not None
    assert match.group(1) not in json.dumps(dict(client.session))


def test_making_statements_is_limited_per_person(world: World) -> None:
    client = client_for(world.professional.user)
    form = {"register": "up", "include_points": "on", "valid_days": "30"}
    statuses = [client.post("/mijn/verklaringen/nieuw/", form).status_code for _ in range(11)]
    assert statuses == [302] * 10 + [429]
    refused = client.post("/mijn/verklaringen/nieuw/", form)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "te veel" in refused.content.decode().lower()
    assert Statement.objects.count() == 10
    # Someone else is not held back by it.
    other = factories.RegistrationFactory(register=_registration(world).register).professional
    factories.PePeriodFactory(registration=other.registrations.get())
    assert client_for(other.user).post("/mijn/verklaringen/nieuw/", form).status_code == 302


def test_pdfs_are_limited_per_person(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from peregister.statements import views

    monkeypatch.setattr(views, "PDF_LIMIT", 2)
    statement, token = make_statement(_registration(world))
    client = client_for(world.professional.user)
    path = f"/mijn/verklaringen/{statement.code}/pdf/"
    statuses = [client.post(path, {"token": token}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.post(path, {"token": token})
    assert int(refused["Retry-After"]) > 0


def test_the_public_page_says_when_to_try_again(world: World) -> None:
    with _within_one_minute():
        _statement, token = make_statement(_registration(world))
        client = Client(REMOTE_ADDR="198.51.100.77")
        for _ in range(30):
            client.get(verify_path(token))
        refused = client.get(verify_path(token))
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 60


# --- retiring a key ----------------------------------------------------------------------------


def test_a_retired_key_leaves_the_jwks_and_verifies_nothing(world: World, settings) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.STATEMENT_SIGNING_KEY = _pem()
    old, old_token = make_statement(_registration(world))
    with pytest.raises(CommandError, match="signed with now"):
        call_command("retire_signing_key", old.kid, stdout=StringIO())
    settings.STATEMENT_SIGNING_KEY = _pem()
    new, new_token = make_statement(_registration(world))
    out = StringIO()
    call_command("retire_signing_key", old.kid, stdout=out)
    assert "1 statement(s)" in out.getvalue()

    jwks = _jwks()
    assert [k["kid"] for k in jwks["keys"]] == [new.kid]
    with pytest.raises(KeyError):
        _pyjwt_claims(old.jwt, jwks)  # an outside verifier no longer finds the key
    _pyjwt_claims(new.jwt, jwks)
    old_page = Client().get(verify_path(old_token)).content.decode()
    assert "klopt niet" in old_page
    assert world.professional.full_name not in old_page
    assert "klopt niet" not in Client().get(verify_path(new_token)).content.decode()
    pdf = client_for(world.professional.user).post(
        f"/mijn/verklaringen/{old.code}/pdf/", {"token": old_token}
    )
    assert pdf.status_code == 409
    with pytest.raises(CommandError, match="No published key"):
        call_command("retire_signing_key", "nope", stdout=StringIO())


def test_the_register_refuses_to_sign_with_a_retired_key(world: World, settings) -> None:
    from peregister.statements.keys import SigningKeyError

    pem = _pem()
    settings.STATEMENT_SIGNING_KEY = pem
    statement, _token = make_statement(_registration(world))
    PublishedKey.objects.filter(kid=statement.kid).update(retired_at=clock.now())
    with pytest.raises(SigningKeyError, match="retired") as raised:
        make_statement(_registration(world))
    assert pem.splitlines()[1] not in str(raised.value)
    assert Statement.objects.count() == 1
    assert _jwks()["keys"] == []
    # The page says so (and the log tells the operator), no 500.
    _client, response = _create(world)
    assert response.status_code == 503
    assert "nu geen PE-verklaring maken" in response.content.decode()
    assert Statement.objects.count() == 1

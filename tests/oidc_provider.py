"""A small, real OpenID Connect provider for the tests: HTTP on loopback, in a thread.

It serves discovery, a JWKS with a real RSA key, an authorization endpoint (a login form, or a
POST that answers at once), a token endpoint (client secret, single-use codes, PKCE S256
checked) and an end-session endpoint. The register's side talks to it through Authlib exactly
as it talks to a production provider: discovery, JWKS fetch, code exchange over HTTP.

``defect`` makes the next ID tokens wrong in one way (signed with another key, another
audience, expired, another issuer, another nonce) so the tests can show each is refused.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "pe-register-test"
CLIENT_SECRET = "provider-test-client-secret-0123456789"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Provider:
    """The provider's state; ``issuer`` is known once the server listens."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    defect: str = ""
    ended: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- the tokens ---------------------------------------------------------------------

    def id_token(self, user: str, *, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "auth_time": now,
            **self.users[user],
        }
        key = self.key
        if self.defect == "forged_signature":
            # Same key id, another private key: what an attacker without the key can make.
            key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        elif self.defect == "wrong_audience":
            claims["aud"] = "another-client"
        elif self.defect == "expired":
            claims["iat"] = now - 3600
            claims["exp"] = now - 1800
        elif self.defect == "wrong_issuer":
            claims["iss"] = f"{self.issuer}/elders"
        elif self.defect == "wrong_nonce":
            claims["nonce"] = "a-nonce-of-another-login"
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    # --- the endpoints ------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form: dict[str, str] = {}
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
        if path.endswith("/.well-known/openid-configuration"):
            # Also under any other path: a look-alike issuer URL gets the real issuer's document.
            return self._json(start_response, self.discovery())
        if path == "/jwks":
            return self._json(start_response, KeySet([self.key]).as_dict(private=False))
        if path == "/authorize" and method == "GET":
            return self._login_form(start_response, query)
        if path == "/authorize" and method == "POST":
            return self._authorize({**query, **form}, start_response)
        if path == "/token" and method == "POST":
            return self._token(environ, form, start_response)
        if path == "/logout":
            return self._logout(query, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def _json(
        self, start_response: StartResponse, data: Any, status: str = "200 OK"
    ) -> list[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(data).encode()]

    def _login_form(self, start_response: StartResponse, query: dict[str, str]) -> list[bytes]:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        page = (
            '<!doctype html><html lang="nl"><head><title>Mijn-SEU</title></head><body><main>'
            '<h1>Mijn-SEU</h1><form method="post" action="/authorize">'
            f'{hidden}<label for="username">Gebruikersnaam</label>'
            '<input id="username" name="username"><button type="submit">Inloggen</button>'
            "</form></main></body></html>"
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _authorize(self, params: dict[str, str], start_response: StartResponse) -> list[bytes]:
        if (
            params.get("client_id") != CLIENT_ID
            or params.get("response_type") != "code"
            or params.get("code_challenge_method") != "S256"
            or not params.get("code_challenge")
            or params.get("username") not in self.users
        ):
            return self._json(start_response, {"error": "invalid_request"}, "400 Bad Request")
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "user": params["username"],
                "redirect_uri": params["redirect_uri"],
                "nonce": params.get("nonce", ""),
                "code_challenge": params["code_challenge"],
                "used": False,
            }
        target = f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}"
        start_response("302 Found", [("Location", target)])
        return [b""]

    def _token(
        self, environ: dict[str, Any], form: dict[str, str], start_response: StartResponse
    ) -> list[bytes]:
        self.token_requests.append({k: v for k, v in form.items() if k != "code_verifier"})
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if environ.get("HTTP_AUTHORIZATION") != f"Basic {expected}":
            return self._json(start_response, {"error": "invalid_client"}, "401 Unauthorized")
        with self.lock:
            grant = self.codes.get(form.get("code", ""))
            if grant is None or grant["used"]:
                return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
            grant["used"] = True
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            challenge != grant["code_challenge"]
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
        return self._json(
            start_response,
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant["user"], nonce=grant["nonce"]),
            },
        )

    def _logout(self, query: dict[str, str], start_response: StartResponse) -> list[bytes]:
        self.ended.append(query)
        target = query.get("post_logout_redirect_uri", "")
        if not target:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"uitgelogd"]
        start_response("302 Found", [("Location", target)])
        return [b""]


class _Server(WSGIServer):
    # Several requests of one browser may overlap; a thread each keeps them from queueing.
    daemon_threads = True


def start(host: str = "127.0.0.1") -> tuple[Provider, Callable[[], None]]:
    """Start a provider on a free loopback port; returns it and a function that stops it."""
    from socketserver import ThreadingMixIn

    class ThreadingServer(ThreadingMixIn, _Server):
        pass

    provider = Provider()
    server = make_server(
        host, 0, provider, server_class=ThreadingServer, handler_class=_QuietHandler
    )
    provider.issuer = f"http://{host}:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return provider, stop

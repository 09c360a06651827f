"""The loopback OpenID Connect provider as a pytest fixture, configured as ``mijnseu``.

Import ``oidc`` into a test module to use it. One provider (one RSA key) per test module;
its users, codes, defect and logouts are cleared for each test.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from csp import constants as csp_constants

from config.oidc import form_action_origins, provider_from_env
from peregister.accounts import sso
from tests import oidc_provider


@pytest.fixture(scope="module")
def _running_provider() -> Iterator[oidc_provider.Provider]:
    provider, stop = oidc_provider.start()
    yield provider
    stop()


def configure(settings: Any, provider: oidc_provider.Provider, **extra: str) -> None:
    """Point the register at ``provider`` through the same parser production uses."""
    env = {
        "OIDC_MIJNSEU_ISSUER": provider.issuer,
        "OIDC_MIJNSEU_CLIENT_ID": oidc_provider.CLIENT_ID,
        "OIDC_MIJNSEU_CLIENT_SECRET": oidc_provider.CLIENT_SECRET,
        "OIDC_MIJNSEU_LABEL": "Mijn-SEU",
        "OIDC_MIJNSEU_NUMBER_CLAIM": "pe_registratienummer",
        **{f"OIDC_MIJNSEU_{key.upper()}": value for key, value in extra.items()},
    }
    settings.OIDC_PROVIDERS = [provider_from_env(env, "mijnseu", allow_http_loopback=True)]
    # As config/settings.py does at start: the provider's origin may end a form's redirect.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [
        csp_constants.SELF,
        *form_action_origins(settings.OIDC_PROVIDERS),
    ]
    settings.CONTENT_SECURITY_POLICY = policy


@pytest.fixture
def oidc(
    _running_provider: oidc_provider.Provider, settings: Any
) -> Iterator[oidc_provider.Provider]:
    provider = _running_provider
    provider.users.clear()
    provider.codes.clear()
    provider.ended.clear()
    provider.token_requests.clear()
    provider.defect = ""
    configure(settings, provider)
    # Each test starts with a client that has fetched nothing yet (discovery, keys).
    sso._clients.clear()
    yield provider
    sso._clients.clear()

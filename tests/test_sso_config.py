"""Single sign-on providers from the environment (config/oidc.py): a setting that cannot be
right stops the start instead of quietly switching a check off."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.oidc import form_action_origins, providers_from_env
from peregister.accounts.sso import provider_from_config, second_factor_by_provider

BASE = {
    "OIDC_PROVIDERS": "mijnseu",
    "OIDC_MIJNSEU_ISSUER": "https://login.seu.example/realms/seu/",
    "OIDC_MIJNSEU_CLIENT_ID": "pe-register",
    "OIDC_MIJNSEU_CLIENT_SECRET": "s3cret",
    "OIDC_MIJNSEU_LABEL": "Mijn-SEU",
}


def test_no_providers_by_default() -> None:
    assert providers_from_env({}) == []


def test_one_provider_with_defaults() -> None:
    [provider] = providers_from_env(BASE)
    assert provider["issuer"] == "https://login.seu.example/realms/seu"
    assert provider["label"] == "Mijn-SEU"
    assert provider["scope"] == "openid email profile"
    assert provider["email_claim"] == "email"
    assert provider["number_claim"] == ""
    assert provider["trust_mfa"] is False
    assert provider["trust_email"] is False
    # Review F4: only a value that itself asserts several factors is trusted by default.
    assert provider["mfa_amr"] == ["mfa"]
    assert provider["mfa_amr_combined"] is True


def test_several_providers_keep_their_order() -> None:
    env = {
        **BASE,
        "OIDC_PROVIDERS": "mijnseu, ander",
        "OIDC_ANDER_ISSUER": "https://id.ander.example",
        "OIDC_ANDER_CLIENT_ID": "pe",
        "OIDC_ANDER_CLIENT_SECRET": "x",
        "OIDC_ANDER_TRUST_MFA": "yes",
        "OIDC_ANDER_MFA_ACR": "urn:substantial urn:high",
    }
    mijnseu, ander = providers_from_env(env)
    assert (mijnseu["name"], ander["name"]) == ("mijnseu", "ander")
    assert ander["trust_mfa"] is True
    assert ander["mfa_acr"] == ["urn:substantial", "urn:high"]
    assert form_action_origins([mijnseu, ander]) == [
        "https://id.ander.example",
        "https://login.seu.example",
    ]


def test_secret_from_a_file(tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("uit-een-bestand\n")
    env = {**BASE, "OIDC_MIJNSEU_CLIENT_SECRET": "", "OIDC_MIJNSEU_CLIENT_SECRET_FILE": str(secret)}
    assert providers_from_env(env)[0]["client_secret"] == "uit-een-bestand"


@pytest.mark.parametrize(
    "change",
    [
        {"OIDC_MIJNSEU_CLIENT_ID": ""},
        {"OIDC_MIJNSEU_CLIENT_SECRET": ""},
        {"OIDC_MIJNSEU_CLIENT_SECRET_FILE": "/nonexistent/secret"},
        {"OIDC_MIJNSEU_ISSUER": ""},
        {"OIDC_MIJNSEU_ISSUER": "http://login.seu.example"},
        {"OIDC_MIJNSEU_ISSUER": "ftp://login.seu.example"},
        {"OIDC_MIJNSEU_TRUST_MFA": "ja"},
        {"OIDC_MIJNSEU_SCOPE": "email profile"},
        {"OIDC_MIJNSEU_EMAIL_CLAIM": ""},
        {"OIDC_PROVIDERS": "mijn-seu"},
        {"OIDC_PROVIDERS": "mijnseu,mijnseu"},
    ],
)
def test_a_wrong_setting_stops_the_start(change: dict[str, str]) -> None:
    with pytest.raises(ImproperlyConfigured):
        providers_from_env({**BASE, **change})


def test_plain_http_only_to_loopback_in_development() -> None:
    env = {**BASE, "OIDC_MIJNSEU_ISSUER": "http://127.0.0.1:9000"}
    with pytest.raises(ImproperlyConfigured):
        providers_from_env(env)
    assert providers_from_env(env, allow_http_loopback=True)[0]["issuer"] == "http://127.0.0.1:9000"
    remote = {**BASE, "OIDC_MIJNSEU_ISSUER": "http://login.seu.example"}
    with pytest.raises(ImproperlyConfigured):
        providers_from_env(remote, allow_http_loopback=True)


# --- which ``amr`` values count as a second factor (review F4) --------------------------------


def _provider(**extra: str) -> Any:
    env = {**BASE, "OIDC_MIJNSEU_TRUST_MFA": "1"}
    env.update({f"OIDC_MIJNSEU_{key.upper()}": value for key, value in extra.items()})
    [config] = providers_from_env(env)
    return provider_from_config(config)


@pytest.mark.parametrize(
    ("amr", "trusted"),
    [
        (["mfa"], True),
        (["pwd", "otp"], True),  # something known + something held (RFC 8176 section 2)
        (["pin", "hwk"], True),
        (["swk", "fpt"], True),  # held + being
        (["otp"], False),  # one factor, however strong it sounds
        (["hwk"], False),
        (["sms"], False),
        (["face"], False),
        (["pwd"], False),
        (["otp", "sms"], False),  # two things held are still one kind of factor
        (["pwd", "pin", "kba"], False),  # three things known: one kind
        (["mca"], False),  # several channels, not several factors
        (["MFA"], False),  # values are case-sensitive (RFC 8176 section 1)
        ("mfa", False),  # not a list
        ([], False),
    ],
)
def test_the_default_trusts_only_amr_values_that_assert_several_factors(
    amr: Any, trusted: bool
) -> None:
    """ASVS 2.8 / 2.7 (V2.2.1): a provider's one-factor login (``otp`` alone) is no second
    factor for this register; ``mfa``, or two different kinds of factor, is."""
    assert second_factor_by_provider(_provider(), {"amr": amr}) is trusted


def test_the_trusted_amr_values_are_configurable() -> None:
    strict = _provider(mfa_amr_combined="0")
    assert not second_factor_by_provider(strict, {"amr": ["pwd", "otp"]})
    assert second_factor_by_provider(strict, {"amr": ["mfa"]})
    # An operator whose provider only says ``hwk`` after a PIN-protected key may trust it.
    own = _provider(mfa_amr="mfa hwk")
    assert second_factor_by_provider(own, {"amr": ["hwk"]})
    # Without TRUST_MFA nothing the provider says counts.
    assert not second_factor_by_provider(_provider(trust_mfa="0"), {"amr": ["mfa"]})


def test_a_mistyped_combination_flag_stops_the_start() -> None:
    with pytest.raises(ImproperlyConfigured):
        providers_from_env({**BASE, "OIDC_MIJNSEU_MFA_AMR_COMBINED": "perhaps"})

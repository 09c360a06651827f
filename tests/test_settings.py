"""Production configuration: refuses unsafe settings, passes Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "TESTING",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "STATEMENT_SIGNING_KEY",
            "STATEMENT_SIGNING_KEY_FILE",
            "SITE_URL",
        }
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secret_key() -> None:
    result = manage("check", ALLOWED_HOSTS="pe.example.nl")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = manage("check", SECRET_KEY="x" * 60, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "k3y" * 20,
    "ALLOWED_HOSTS": "pe.example.nl",
    "SITE_URL": "https://pe.example.nl",
}


def signing_key_file(folder: Path) -> Path:
    """An Ed25519 key as an operator makes one (``openssl genpkey -algorithm ed25519``)."""
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = folder / "statement-key.pem"
    path.write_bytes(key)
    return path


def test_production_settings_pass_the_deploy_checks(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        STATEMENT_SIGNING_KEY_FILE=str(signing_key_file(tmp_path)),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_yes_no_setting_with_an_unknown_value_stops_the_start() -> None:
    result = manage("check", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a yes/no value" in result.stderr


def test_env_bool_reads_yes_and_no_words(monkeypatch) -> None:
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import env_bool

    for word, expected in [
        ("1", True),
        (" Yes ", True),
        ("on", True),
        ("0", False),
        ("OFF", False),
        ("false", False),
        ("", True),
    ]:
        monkeypatch.setenv("PE_FLAG", word)
        assert env_bool("PE_FLAG", True) is expected, word
    monkeypatch.delenv("PE_FLAG")
    assert env_bool("PE_FLAG", False) is False
    for garbage in ["2", "enabled", "y e s", "ja"]:
        monkeypatch.setenv("PE_FLAG", garbage)
        with pytest.raises(ImproperlyConfigured, match="PE_FLAG"):
            env_bool("PE_FLAG", False)


def test_production_refuses_to_start_without_a_signing_key() -> None:
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "STATEMENT_SIGNING_KEY" in result.stderr


def test_production_refuses_a_signing_key_it_cannot_use_without_printing_it(
    tmp_path: Path,
) -> None:
    secret = "c2VjcmV0LWtleS1ieXRlcy10aGF0LW11c3Qtbm90LWxlYWs="
    bad = tmp_path / "bad.pem"
    bad.write_text(f"-----BEGIN PRIVATE KEY-----\n{secret}\n-----END PRIVATE KEY-----\n")
    for env in (
        {"STATEMENT_SIGNING_KEY_FILE": str(bad)},
        {"STATEMENT_SIGNING_KEY": bad.read_text()},
    ):
        result = manage("check", **env, **PRODUCTION)
        assert result.returncode != 0
        assert "Ed25519" in result.stderr
        assert secret not in result.stdout + result.stderr
    missing = manage("check", STATEMENT_SIGNING_KEY_FILE=str(tmp_path / "nope.pem"), **PRODUCTION)
    assert missing.returncode != 0
    assert "cannot be read" in missing.stderr


def test_deploy_check_warns_about_a_signing_key_inside_the_application() -> None:
    inside = ROOT / "var"  # git-ignored, but inside the application directory
    inside.mkdir(exist_ok=True)
    key = signing_key_file(inside)
    try:
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            STATEMENT_SIGNING_KEY_FILE=str(key),
            **PRODUCTION,
        )
    finally:
        key.unlink()
    assert result.returncode != 0
    assert "statements.W001" in result.stdout + result.stderr


def test_smtp_speaks_plain_unless_tls_is_asked_for() -> None:
    """A new user's plain SMTP server must not get STARTTLS that it cannot answer."""
    show = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_PORT)"
    )
    plain = manage("shell", "--no-imports", "-c", show, DEBUG="1", EMAIL_HOST="mail.example.nl")
    assert plain.stdout.split() == ["False", "False", "25"], plain.stderr
    tls = manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        DEBUG="1",
        EMAIL_HOST="mail.example.nl",
        EMAIL_USE_TLS="1",
        EMAIL_PORT="587",
    )
    assert tls.stdout.split() == ["True", "False", "587"], tls.stderr


def test_production_queues_tasks_for_the_worker_and_development_runs_them_in_process(
    tmp_path: Path,
) -> None:
    show = "from django.conf import settings as s; print(s.TASKS['default']['BACKEND'])"
    production = manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        STATEMENT_SIGNING_KEY_FILE=str(signing_key_file(tmp_path)),
        **PRODUCTION,
    )
    assert production.stdout.strip() == "django_tasks_db.DatabaseBackend", production.stderr
    development = manage("shell", "--no-imports", "-c", show, DEBUG="1")
    assert development.stdout.strip() == "django_tasks.backends.immediate.ImmediateBackend"


def test_production_refuses_to_start_without_an_https_site_url(tmp_path: Path) -> None:
    """SITE_URL is signed into every PE-verklaring and its QR code: never the default."""
    key = str(signing_key_file(tmp_path))
    without = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    for site_url in [None, "", "http://pe.example.nl", "pe.example.nl", "https://", "ftp://x.nl"]:
        env = {**without, "STATEMENT_SIGNING_KEY_FILE": key}
        if site_url is not None:
            env["SITE_URL"] = site_url
        result = manage("check", **env)
        assert result.returncode != 0, site_url
        assert "SITE_URL" in result.stderr, site_url
    # The development default still works with DEBUG on.
    assert manage("check", DEBUG="1").returncode == 0


def test_deploy_check_warns_about_an_smtp_login_sent_without_encryption(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_HOST_USER = "mail.example.nl", "pe-register"
    settings.EMAIL_HOST_PASSWORD = "smtp-" + "secret"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    def ids() -> set[str]:
        return {message.id for message in run_checks(include_deployment_checks=True)}

    assert "ops.W001" in ids()
    settings.EMAIL_USE_TLS = True
    assert "ops.W001" not in ids()


def test_production_keeps_health_checked_connections_and_development_opens_one_per_request(
    tmp_path: Path,
) -> None:
    """A fresh connection costs ~6 ms a request in production; a kept one is checked before use."""
    show = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    key = str(signing_key_file(tmp_path))
    production = manage(
        "shell", "--no-imports", "-c", show, STATEMENT_SIGNING_KEY_FILE=key, **PRODUCTION
    )
    assert production.stdout.split() == ["60", "True"], production.stderr
    chosen = manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        STATEMENT_SIGNING_KEY_FILE=key,
        CONN_MAX_AGE="0",
        **PRODUCTION,
    )
    assert chosen.stdout.split() == ["0", "True"], chosen.stderr
    development = manage("shell", "--no-imports", "-c", show, DEBUG="1")
    assert development.stdout.split() == ["0", "True"], development.stderr


def test_a_connection_age_that_is_not_a_number_stops_the_start() -> None:
    result = manage("check", DEBUG="1", CONN_MAX_AGE="sixty")
    assert result.returncode != 0
    assert "CONN_MAX_AGE" in result.stderr


def test_deploy_check_warns_when_web_workers_would_run_the_tasks(settings) -> None:
    """Issue 12: in production a web worker never makes a report; the task worker does."""

    def ids() -> set[str]:
        return {message.id for message in run_checks(include_deployment_checks=True)}

    settings.DEBUG = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert "ops.W002" in ids()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert "ops.W002" not in ids()

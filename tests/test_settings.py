"""Production configuration: refuses unsafe settings, passes Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
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


def test_production_settings_pass_the_deploy_checks() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "k3y" * 20,
        ALLOWED_HOSTS="pe.example.nl",
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

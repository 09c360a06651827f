"""Logs carry no personal data: the formatter masks, and the run's own output is scanned."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peregister.core import request_context
from peregister.home.demo import DEMO_PASSWORD
from peregister.ops.logs import ContextFilter, JsonFormatter, mask
from tests.factories import PASSWORD
from tests.log_scan import find_leaks, suite_passwords

ROOT = Path(__file__).resolve().parent.parent

TOKEN = "Q2hhbmdlIG1lOiB0aGlzIGlzIGEgZmFrZSB0b2tlbiBfLQ"


def formatted(message: str, *args: object, **extra: object) -> dict[str, object]:
    record = logging.makeLogRecord(
        {"name": "t", "levelname": "INFO", "msg": message, "args": args, **extra}
    )
    ContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_json_line_masks_addresses_and_link_tokens_wherever_they_appear() -> None:
    with request_context.bound("req-12345678"):
        entry = formatted(
            "Internal Server Error: /account/wachtwoord-instellen/%s/", TOKEN, to="jan@vooruit.nl"
        )
    assert entry["request_id"] == "req-12345678"
    assert entry["message"] == "Internal Server Error: /account/wachtwoord-instellen/[secret]/"
    assert entry["to"] == "[e-mail]"


def test_the_scan_finds_each_kind_of_leak_and_passes_clean_lines() -> None:
    lines = [
        '{"message": "request", "route": "account/wachtwoord-instellen/<str:token>/"}',
        f'{{"message": "login failed for {DEMO_PASSWORD}"}}',
        '{"message": "mail to anna.de.vries@example.nl"}',
        f'{{"message": "GET /account/wachtwoord-instellen/{TOKEN}/"}}',
    ]
    assert find_leaks(lines, [DEMO_PASSWORD]) == lines[1:]


@pytest.mark.parametrize(
    "address", ["jürgen.müller@bücher.example", "用户@例子.广告", "root@localhost", "a+b@x.nl"]
)
def test_every_kind_of_address_is_masked(address: str) -> None:
    assert mask(f"mail to {address}, then stop") == "mail to [e-mail], then stop"


def test_a_request_object_in_a_log_record_does_not_reach_the_line() -> None:
    class FakeRequest:
        def __str__(self) -> str:
            return f"<WSGIRequest: GET '/account/wachtwoord-instellen/{TOKEN}/'>"

    entry = formatted("Internal Server Error", request=FakeRequest(), status_code=500)
    assert "request" not in entry
    assert entry["status_code"] == 500


def test_the_log_scan_knows_the_test_accounts_password() -> None:
    assert find_leaks([f"login with {PASSWORD} failed"], suite_passwords())


def _development_process(code: str) -> subprocess.CompletedProcess[str]:
    """``manage.py shell -c code`` as ``make run`` configures it (DEBUG, text logs)."""
    env = {k: v for k, v in os.environ.items() if k not in {"TESTING", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_djangos_own_loggers_write_one_masked_line_and_so_does_a_crash() -> None:
    done = _development_process(
        "import logging\n"
        "logging.getLogger('django').error('refused: jan@vooruit.example')\n"
        "logging.getLogger('django.server').warning('\"GET /account/wachtwoord-instellen/"
        + TOKEN
        + "/ HTTP/1.1\" 404')\n"
        "raise RuntimeError('crashed for piet@vooruit.example')\n"
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "vooruit.example" not in output
    assert TOKEN not in output
    lines = output.splitlines()
    assert sum("refused: [e-mail]" in line for line in lines) == 1, output
    assert sum("wachtwoord-instellen/[secret]/" in line for line in lines) == 1, output
    assert any("crashed for [e-mail]" in line for line in lines), output

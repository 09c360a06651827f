"""Logs carry no personal data: the formatter masks, and the run's own output is scanned."""

from __future__ import annotations

import json
import logging

from peregister.core import request_context
from peregister.home.demo import DEMO_PASSWORD
from peregister.ops.logs import ContextFilter, JsonFormatter
from tests.log_scan import find_leaks

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

"""A real SMTP server for tests and drills (aiosmtpd), that can be told to refuse or stall.

In tests: ``with SmtpCatcher() as smtp:`` and point Django's SMTP backend at ``smtp.port``.
In the drills it runs as its own process: ``python -m tests.smtp --port N --log FILE`` writes
one JSON line per accepted message (Message-ID and recipients, nothing else).
"""

from __future__ import annotations

import argparse
import email
import json
import logging
import signal
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

# The server logs every SMTP command, addresses included; the tests need none of that.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: Message

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def text(self) -> str:
        """The plain-text part, decoded."""
        for part in self.message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no text/plain part")


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    # Answers to give to the next DATA commands instead of accepting ("451 …", "554 …").
    data_answers: deque[str] = field(default_factory=deque)
    # Addresses refused at RCPT, with the answer given ("550 5.1.1 …" unless told otherwise).
    refused: dict[str, str] = field(default_factory=dict)
    log_path: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refused:
            return self.refused[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.data_answers:
                return self.data_answers.popleft()
            received = Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.original_content or envelope.content),
            )
            self.received.append(received)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    entry = {"message_id": received.message_id, "to": received.recipients}
                    log.write(json.dumps(entry) + "\n")
        return "250 Message accepted for delivery"


class SmtpCatcher:
    """Listens on 127.0.0.1 (a free port unless given); speaks plain SMTP without STARTTLS."""

    def __init__(self, port: int | None = None, log_path: str | None = None) -> None:
        self.port = port or free_port()
        self.handler = _Handler(log_path=log_path)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def answer_next_data_with(self, *answers: str) -> None:
        self.handler.data_answers.extend(answers)

    def refuse(
        self, address: str, answer: str = "550 5.1.1 Recipient address rejected: user unknown"
    ) -> None:
        self.handler.refused[address.lower()] = answer

    def __enter__(self) -> SmtpCatcher:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    arguments = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SmtpCatcher(arguments.port, arguments.log):
        stop.wait()


if __name__ == "__main__":
    main()

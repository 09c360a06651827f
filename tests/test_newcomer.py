"""What a newcomer meets first: `make run` on another port or host, a clean install, a favicon."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def make_run_commands(*variables: str) -> list[str]:
    """The commands `make run` would run (``make -n``), in an environment without overrides."""
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "ALLOWED_HOSTS"}}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "run", *variables],  # noqa: S607 - make is a documented requirement
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "manage.py" in line]


def test_make_run_port_moves_the_server_the_links_and_the_banner() -> None:
    commands = make_run_commands("PORT=8101")
    assert commands[-1].endswith("manage.py runserver 127.0.0.1:8101")
    # Every step (the demo banner included) sees the same SITE_URL, used for links in e-mail.
    assert all("SITE_URL='http://127.0.0.1:8101'" in command for command in commands)
    assert any(command.endswith("manage.py load_demo_data") for command in commands)


def test_make_run_host_is_allowed_and_linked_to() -> None:
    commands = make_run_commands("HOST=pe.local", "PORT=8102")
    assert commands[-1].endswith("runserver pe.local:8102")
    assert "SITE_URL='http://pe.local:8102'" in commands[-1]
    assert re.search(r"ALLOWED_HOSTS='[^']*\bpe\.local\b", commands[-1])


def test_make_run_on_every_interface_links_to_the_loopback_address() -> None:
    commands = make_run_commands("HOST=0.0.0.0")
    assert commands[-1].endswith("runserver 0.0.0.0:8000")
    assert "SITE_URL='http://127.0.0.1:8000'" in commands[-1]


def test_make_run_on_an_ipv6_address_brackets_it_in_links_and_the_listen_address() -> None:
    # An IPv6 literal in a URL or a Host header is written in brackets (RFC 3986, 3.2.2);
    # without them the links in e-mails would be unreadable and runserver would refuse it.
    commands = make_run_commands("HOST=::1", "PORT=8103")
    assert commands[-1].endswith("runserver [::1]:8103")
    assert "SITE_URL='http://[::1]:8103'" in commands[-1]
    assert re.search(r"ALLOWED_HOSTS='[^']*\[::1\]", commands[-1])


def test_licence_is_an_spdx_expression_so_setuptools_does_not_warn() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "EUPL-1.2"
    # SPDX strings need setuptools 77 or later; older ones reject them.
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_favicon_is_served_at_the_root_and_linked_from_the_layout(db: None) -> None:
    client = Client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    login_page = client.get("/account/inloggen/").content.decode()
    svg_path = re.search(r'<link rel="icon" href="([^"]+\.svg)"', login_page)
    assert svg_path is not None
    svg = client.get(svg_path.group(1))
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)

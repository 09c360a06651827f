from __future__ import annotations

import pytest
from django.core import mail
from django.template import TemplateDoesNotExist

from peregister.notifications.mail import absolute_url, render_mail


def test_absolute_links_come_from_the_site_url(settings) -> None:
    settings.SITE_URL = "https://pe.example.nl"
    assert absolute_url("/account/inloggen/") == "https://pe.example.nl/account/inloggen/"


def test_unknown_template_is_an_error_not_a_blank_mail() -> None:
    with pytest.raises(TemplateDoesNotExist):
        render_mail("does_not_exist", {}, "nl")
    assert mail.outbox == []

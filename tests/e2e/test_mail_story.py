"""Undelivered mail in a real browser: staff see that the mail server refuses the register,
which mails did not arrive, and send them all again; every page passes axe-core."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, expect

from peregister.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in
from tests.outbox import grant_mail

pytestmark = pytest.mark.e2e


def test_staff_see_the_mail_servers_refusal_and_send_failed_mail_again(
    world: World, smtp, new_context: Callable[[], BrowserContext]
) -> None:
    # Staff's second factor exists already: setting one up would mail them, and a mail the
    # server accepts clears the warning this story is about.
    TOTPDevice.objects.create(user=world.staff, name="app", confirmed=True)
    smtp.refuse("regio@brug.example")
    refused = grant_mail()  # committed at once: delivered in-process, refused for good
    smtp.answer_next_data_with("535 5.7.8 Authentication credentials invalid")
    grant_mail(to=["hr@brug.example"])  # the server refuses the register: retried later
    assert OutboxMessage.objects.get(pk=refused.pk).state == OutboxMessage.State.FAILED

    page = new_context().new_page()
    log_in(page, world.staff.username, factories.PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="E-mail").click()
    expect(page.get_by_role("alert")).to_contain_text("De mailserver weigert:")
    expect(page.get_by_role("alert")).to_contain_text("535: 5.7.8 Authentication")
    table = page.get_by_role("table")
    expect(table).to_contain_text("1 e-mail niet afgeleverd; 1 e-mail wacht op een nieuwe poging")
    check_page(page, "backoffice-mail-refused")

    smtp.handler.refused.clear()  # the recipient's mailbox was fixed
    page.get_by_role("button", name="alle opnieuw versturen").click()
    expect(page.get_by_role("status")).to_contain_text("1 e-mail staat weer klaar")
    expect(page.get_by_role("alert")).to_have_count(0)
    check_page(page, "backoffice-mail-resent")
    assert OutboxMessage.objects.get(pk=refused.pk).state == OutboxMessage.State.SENT

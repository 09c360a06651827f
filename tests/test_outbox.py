"""The outbox keeps every promised mail: stored with the change, delivered through a real SMTP
server, retried with backoff, failures shown to staff and to the screen that promised them."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from peregister.accounts import tokens
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.notifications import mail as outbox
from peregister.notifications.models import OutboxMessage
from peregister.ops.logs import ContextFilter, JsonFormatter
from peregister.organisations.models import Contact
from tests.conftest import client_for
from tests.outbox import grant_mail
from tests.test_onboarding import link_in, valid_request

State = OutboxMessage.State


def later(seconds: float) -> time_machine.travel:
    return time_machine.travel(clock.now() + dt.timedelta(seconds=seconds), tick=False)


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(smtp, django_capture_on_commit_callbacks) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            grant_mail()
            raise RuntimeError("the change fails after the mail was queued")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_that_fails()
    assert not OutboxMessage.objects.exists()
    assert smtp.received == []


@pytest.mark.django_db
def test_a_committed_mail_is_delivered_with_its_stored_message_id(
    smtp, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = grant_mail()
    [received] = smtp.received
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.attempts == 1
    assert received.recipients == ["regio@brug.example"]
    assert received.message_id == message.message_id
    assert "Anna de Vries" in received.text


@pytest.mark.django_db
def test_a_temporary_failure_is_retried_with_growing_delays(smtp) -> None:
    message = grant_mail()
    smtp.answer_next_data_with("451 4.3.0 try again later", "421 4.4.2 busy")
    started = clock.now()
    assert outbox.deliver(message.pk) == State.PENDING
    message.refresh_from_db()
    assert message.last_error.startswith("SMTP 451")
    first_delay = message.next_attempt_at - started
    # Not due yet: nothing happens before the backoff has passed.
    assert outbox.deliver(message.pk) is None
    with later(first_delay.total_seconds() + 1):
        assert outbox.deliver(message.pk) == State.PENDING
        message.refresh_from_db()
        second_delay = message.next_attempt_at - clock.now()
    assert second_delay >= first_delay * 2 - dt.timedelta(seconds=1)
    with later(first_delay.total_seconds() + second_delay.total_seconds() + 60):
        assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (State.SENT, 3, "")
    assert [r.message_id for r in smtp.received] == [message.message_id]


@pytest.mark.django_db
def test_a_refused_recipient_fails_at_once_and_is_listed_for_staff(smtp, world) -> None:
    smtp.refuse("regio@brug.example")
    message = grant_mail()
    assert outbox.deliver(message.pk) == State.FAILED
    message.refresh_from_db()
    assert message.attempts == 1
    assert "550" in message.last_error

    page = client_for(world.staff).get("/register/e-mail/").content.decode()
    assert "regio@brug.example" in page
    assert "550 5.1.1 Recipient address rejected" in page
    assert "opnieuw versturen" in page


@pytest.mark.django_db
def test_too_many_temporary_failures_end_as_failed(smtp, settings) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = grant_mail()
    smtp.answer_next_data_with("451 later", "451 later")
    assert outbox.deliver(message.pk) == State.PENDING
    with later(3600):
        assert outbox.deliver(message.pk) == State.FAILED


@pytest.mark.django_db
def test_staff_send_a_failed_mail_again_and_it_is_audited(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    smtp.refuse("regio@brug.example")
    message = grant_mail()
    outbox.deliver(message.pk)
    smtp.handler.refused.clear()  # the recipient's mailbox was fixed

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff).post(f"/register/e-mail/{message.code}/opnieuw/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == State.SENT
    # The same mail, so the same Message-ID.
    assert [r.message_id for r in smtp.received] == [message.message_id]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MAIL_RESENT, actor=world.staff, data__mail=str(message.code)
    ).exists()
    # Sent mails cannot be "sent again" by a second click.
    again = client_for(world.staff).post(f"/register/e-mail/{message.code}/opnieuw/", follow=True)
    assert "kan niet opnieuw worden verstuurd" in again.content.decode()
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_a_crash_after_the_sent_mark_never_sends_twice(smtp) -> None:
    message = grant_mail()
    assert outbox.deliver(message.pk) == State.SENT
    # The task handed off again, the sweep, a retry much later: all find nothing to do.
    assert outbox.deliver(message.pk) is None
    with later(7 * 24 * 3600):
        assert outbox.deliver_due() == 0
    assert len(smtp.received) == 1


class Killed(BaseException):
    """Stands in for ``kill -9`` between the server's acceptance and the sent mark."""


@pytest.mark.django_db
def test_a_crash_between_acceptance_and_the_sent_mark_resends_the_same_message_id(
    smtp, monkeypatch
) -> None:
    message = grant_mail()

    def die(_message: OutboxMessage) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_mark_sent", die)
        with pytest.raises(Killed):
            outbox.deliver(message.pk)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.PENDING, 1)
    # The worker's sweep takes the mail again once its lease (the backoff) has passed.
    with later(outbox.backoff(1).total_seconds() + 60):
        assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    ids = [r.message_id for r in smtp.received]
    assert ids == [message.message_id, message.message_id]  # recognisable as one mail


@pytest.mark.django_db
def test_a_set_password_link_leaves_the_outbox_once_delivered(
    smtp, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/account/aanvragen/", valid_request())
    message = OutboxMessage.objects.get(template="account_created")
    assert message.state == State.SENT
    assert "set_password_url" not in message.context
    assert link_in(smtp.received[0].text)


@pytest.mark.django_db
def test_a_failed_link_mail_is_told_on_the_promising_page_and_resent_with_a_new_link(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    smtp.refuse("hr@vooruit.example")
    requester = Client()
    with django_capture_on_commit_callbacks(execute=True):
        requester.post("/account/aanvragen/", valid_request())
    page = requester.get("/account/aanvragen/ontvangen/").content.decode()
    assert "De e-mail kon niet worden afgeleverd" in page
    assert "een nieuwe link aanvragen" in page

    message = OutboxMessage.objects.get(template="account_created")
    assert message.state == State.FAILED
    assert "set_password_url" not in message.context  # no secret kept for a failed mail
    smtp.handler.refused.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.staff).post(f"/register/e-mail/{message.code}/opnieuw/")
    [received] = smtp.received
    link = link_in(received.text)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert tokens.inspect(token).state == tokens.TokenState.VALID
    message.refresh_from_db()
    assert received.message_id == message.message_id
    assert "De e-mail is op" in requester.get("/account/aanvragen/ontvangen/").content.decode()


@pytest.mark.django_db
def test_the_beheerder_sees_whether_a_new_contact_got_the_link(smtp, world) -> None:
    smtp.refuse("nieuw@brug.example")
    client = client_for(world.administrator.user)
    response = client.post(
        "/werkgever/beheerders/toevoegen/",
        {
            "kind": "person",
            "name": "Nieuwe Collega",
            "email": "nieuw@brug.example",
            "role": "contact",
            "username": "nieuwe-collega",
            "language": "nl",
        },
    )
    assert response.status_code == 302, response.content.decode()
    contact = Contact.objects.get(name="Nieuwe Collega")
    # Still pending: the test transaction has not committed, so no attempt was made yet.
    page = client.get(f"/werkgever/beheerders/{contact.code}/").content.decode()
    assert "De e-mail wordt verstuurd" in page
    outbox.deliver(OutboxMessage.objects.get(template="contact_added").pk)
    page = client.get(f"/werkgever/beheerders/{contact.code}/").content.decode()
    assert "De e-mail kon niet worden afgeleverd" in page


@pytest.mark.django_db
def test_the_worker_logs_a_delivery_under_the_request_id_of_the_request(
    smtp, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TRUST_REQUEST_ID_HEADER = True  # behind a proxy that sets X-Request-ID
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("peregister.mail")
    logger.addHandler(handler)
    try:
        response = Client().post(
            "/account/aanvragen/", valid_request(), HTTP_X_REQUEST_ID="drill-request-0001"
        )
        assert response["X-Request-ID"] == "drill-request-0001"
        message = OutboxMessage.objects.get()
        assert message.request_id == "drill-request-0001"
        # Later, in the worker: no request around it, yet the id comes with the mail.
        outbox.deliver(message.pk)
    finally:
        logger.removeHandler(handler)
    [entry] = [json.loads(line) for line in lines]
    assert entry["message"] == "mail delivered"
    assert entry["request_id"] == "drill-request-0001"
    assert "vooruit.example" not in lines[0]


@pytest.mark.django_db
def test_delivered_mails_are_forgotten_after_the_keep_period_failed_ones_stay(
    smtp, settings
) -> None:
    settings.OUTBOX_KEEP_DAYS = 30
    delivered, refused = grant_mail(), grant_mail(to=["weg@brug.example"])
    smtp.refuse("weg@brug.example")
    outbox.deliver(delivered.pk)
    outbox.deliver(refused.pk)
    with later(29 * 24 * 3600):
        call_command("prune_outbox", stdout=io.StringIO())
    assert OutboxMessage.objects.count() == 2
    with later(31 * 24 * 3600):
        call_command("prune_outbox", stdout=io.StringIO())
    assert list(OutboxMessage.objects.values_list("state", flat=True)) == [State.FAILED]

"""When delivery goes wrong: whose fault it is (this mail's or the server's), who may take a
mail, what staff see and may send again, and the development path without a worker."""

from __future__ import annotations

import smtplib
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from peregister.accounts.models import User
from peregister.accounts.services import send_new_link, set_password_with_link
from peregister.audit.models import AuditEvent
from peregister.backoffice.views import mail as mail_views
from peregister.notifications import mail as outbox
from peregister.notifications.models import OutboxMessage
from tests.conftest import client_for
from tests.outbox import grant_mail
from tests.smtp import free_port
from tests.test_onboarding import link_in, valid_request
from tests.test_outbox import later

State = OutboxMessage.State
Kind = OutboxMessage.ErrorKind


def staff_page(world: Any) -> str:
    return client_for(world.staff).get("/register/e-mail/").content.decode()


# --- whose fault: this mail's (final) or the server's (retried, shown) ----------------------


@pytest.mark.django_db
def test_a_server_that_demands_starttls_is_retried_and_shown_to_staff(smtp, world) -> None:
    smtp.answer_next_data_with("530 5.7.0 Must issue a STARTTLS command first")
    message = grant_mail()
    assert outbox.deliver(message.pk) == State.PENDING
    message.refresh_from_db()
    assert (message.state, message.attempts, message.error_kind) == (State.PENDING, 1, Kind.SERVER)

    page = staff_page(world)
    assert "De mailserver weigert" in page
    assert "SMTP 530: 5.7.0 Must issue a STARTTLS command first" in page

    # The server is fixed: the retry goes out and the warning is gone.
    with later(3600):
        assert outbox.deliver_due() == 1
        assert "De mailserver weigert" not in staff_page(world)
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_a_relay_refusal_for_every_recipient_is_the_servers_not_the_mails(smtp) -> None:
    smtp.refuse("regio@brug.example", "554 5.7.1 <regio@brug.example>: Relay access denied")
    message = grant_mail()
    assert outbox.deliver(message.pk) == State.PENDING
    message.refresh_from_db()
    assert message.error_kind == Kind.SERVER


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid"),
        smtplib.SMTPConnectError(554, b"5.7.1 no relay for you"),
        smtplib.SMTPHeloError(501, b"5.5.4 bad HELO"),
        smtplib.SMTPSenderRefused(553, b"5.7.1 sender not owned by user", "noreply@pe.test"),
        smtplib.SMTPDataError(421, b"4.3.2 shutting down"),
        smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."),
    ],
    ids=["535-auth", "554-connect", "501-helo", "553-sender", "421-data", "no-starttls"],
)
def test_server_level_refusals_are_retried(error: Exception) -> None:
    assert outbox.classify(error) == (Kind.SERVER, False)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPRecipientsRefused({"a@b.example": (550, b"5.1.1 no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.example": (452, b"4.2.2 mailbox full")}), False),
        (smtplib.SMTPDataError(554, b"5.7.1 message rejected as spam"), True),
        (smtplib.SMTPDataError(552, b"5.3.4 message too big"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 try again later"), False),
    ],
    ids=["550-rcpt", "452-rcpt", "554-data", "552-data", "451-data"],
)
def test_only_a_refusal_of_this_mail_is_final(error: Exception, expected: bool) -> None:
    assert outbox.classify(error) == (Kind.MAIL, expected)


@pytest.mark.django_db
def test_an_unreachable_server_is_retried_and_shown(settings, world) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    message = grant_mail()
    assert outbox.deliver(message.pk) == State.PENDING
    message.refresh_from_db()
    assert message.error_kind == Kind.UNREACHABLE
    assert "De mailserver is niet bereikbaar" in staff_page(world)


@pytest.mark.django_db
def test_the_sweep_stops_at_a_server_refusal_instead_of_trying_every_mail(smtp) -> None:
    for _ in range(3):
        grant_mail()
    smtp.answer_next_data_with("535 5.7.8 Authentication credentials invalid")
    with later(3600):
        assert outbox.deliver_due() == 1
    assert OutboxMessage.objects.filter(attempts=0).count() == 2


# --- two workers, one attempt -------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_worker_leaves_a_mail_alone_while_the_first_still_sends_it(
    smtp, settings, monkeypatch
) -> None:
    settings.OUTBOX_RETRY_SECONDS = 1
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 1
    message = grant_mail()
    real_send = outbox._send
    second_worker: list[int] = []

    def slow_send(taken: OutboxMessage) -> None:
        if not second_worker:
            # Worker A is still talking to a slow server when worker B's sweep comes by.
            with later(5):
                second_worker.append(outbox.deliver_due())
        real_send(taken)

    monkeypatch.setattr(outbox, "_send", slow_send)
    assert outbox.deliver(message.pk) == State.SENT
    assert second_worker == [0]
    assert [r.message_id for r in smtp.received] == [message.message_id]


@pytest.mark.django_db
def test_a_late_outcome_of_an_attempt_whose_lease_ran_out_changes_nothing(smtp) -> None:
    message = grant_mail()
    first = outbox._claim(message.pk)
    assert first is not None
    with later(outbox.lease().total_seconds() + 1):
        second = outbox._claim(message.pk)
        assert second is not None
        # The first attempt finally hears "550" and would fail the mail the second is sending.
        refused = smtplib.SMTPRecipientsRefused({"regio@brug.example": (550, b"5.1.1 gone")})
        outbox._record_failure(first, refused)
        message.refresh_from_db()
        assert (message.state, message.attempts, message.last_error) == (State.PENDING, 2, "")
        outbox._mark_sent(second)
    message.refresh_from_db()
    assert message.state == State.SENT


# --- sending again: never a link nobody needs any more --------------------------------------


def _failed_account_mail(smtp: Any, captured: Any) -> OutboxMessage:
    smtp.refuse("hr@vooruit.example")
    with captured(execute=True):
        Client().post("/account/aanvragen/", valid_request())
    smtp.handler.refused.clear()
    message = OutboxMessage.objects.get(template="account_created")
    assert message.state == State.FAILED
    return message


def _replaced_link_mail(smtp: Any, captured: Any) -> OutboxMessage:
    """The failed account mail, after the user asked for (and got) a new link."""
    old = _failed_account_mail(smtp, captured)
    with captured(execute=True):
        send_new_link(actor=None, username_or_email="hr@vooruit.example")
    return old


@pytest.mark.django_db
def test_an_old_link_mail_is_not_sent_again_after_a_newer_link_went_out(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    old = _replaced_link_mail(smtp, django_capture_on_commit_callbacks)
    assert len(smtp.received) == 1

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(world.staff).post(f"/register/e-mail/{old.code}/opnieuw/", follow=True)
    page = answer.content.decode()
    assert "is vervangen door een nieuwere e-mail" in page
    assert len(smtp.received) == 1
    old.refresh_from_db()
    assert old.state == State.FAILED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.MAIL_RESENT).exists()
    page = staff_page(world)
    assert "vervangen door een nieuwere e-mail" in page
    assert f'action="/register/e-mail/{old.code}/opnieuw/"' not in page


@pytest.mark.django_db
def test_a_link_mail_is_not_sent_again_once_the_user_has_a_password(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    old = _replaced_link_mail(smtp, django_capture_on_commit_callbacks)
    token = link_in(smtp.received[-1].text).rstrip("/").rsplit("/", 1)[1]
    set_password_with_link(actor=None, raw_token=token, password="Een-heel-goed-wachtwoord-42")
    # Even with the newer mail gone from the outbox, the user needs no link any more.
    OutboxMessage.objects.exclude(pk=old.pk).delete()

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(world.staff).post(f"/register/e-mail/{old.code}/opnieuw/", follow=True)
    assert "heeft inmiddels zelf een wachtwoord ingesteld" in answer.content.decode()
    assert len(smtp.received) == 1
    user = User.objects.get(username__iexact="SEU-werkgever-test")
    assert user.check_password("Een-heel-goed-wachtwoord-42")


@pytest.mark.django_db
def test_staff_send_every_failed_mail_again_at_once_except_those_not_needed(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    smtp.refuse("regio@brug.example")
    plain = [grant_mail(), grant_mail()]
    for message in plain:
        outbox.deliver(message.pk)
    old_link = _replaced_link_mail(smtp, django_capture_on_commit_callbacks)
    smtp.handler.refused.clear()
    received_before = len(smtp.received)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(world.staff).post("/register/e-mail/opnieuw/", follow=True)
    page = answer.content.decode()
    assert "2 e-mails staan weer klaar om te versturen" in page
    assert "1 e-mail niet: vervangen of niet meer nodig" in page
    assert len(smtp.received) == received_before + 2
    states = OutboxMessage.objects.filter(pk__in=[m.pk for m in plain]).values_list("state")
    assert set(states) == {(State.SENT,)}
    old_link.refresh_from_db()
    assert old_link.state == State.FAILED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MAIL_RESENT).count() == 2


@pytest.mark.django_db
def test_a_resent_mail_carries_the_request_id_of_the_staff_action(
    smtp, world, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TRUST_REQUEST_ID_HEADER = True
    smtp.refuse("regio@brug.example")
    message = grant_mail()
    outbox.deliver(message.pk)
    with django_capture_on_commit_callbacks(execute=False):
        client_for(world.staff).post(
            f"/register/e-mail/{message.code}/opnieuw/", HTTP_X_REQUEST_ID="staff-resend-0001"
        )
    message.refresh_from_db()
    assert message.request_id == "staff-resend-0001"


@pytest.mark.django_db
def test_the_staff_list_counts_every_failed_mail_not_only_the_first_page(
    smtp, world, monkeypatch
) -> None:
    monkeypatch.setattr(mail_views, "PER_PAGE", 2)
    smtp.refuse("regio@brug.example")
    for _ in range(3):
        outbox.deliver(grant_mail().pk)
    page = staff_page(world)
    assert "3 e-mails niet afgeleverd" in page
    assert "pagina=2" in page


# --- the hand-off after commit, and development without a worker ----------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failed_hand_off_after_commit_leaves_the_mail_for_the_sweep(smtp, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the task table is gone for a moment")

    monkeypatch.setattr(outbox, "deliver_mail", SimpleNamespace(enqueue=refuse))
    response = Client().post("/account/aanvragen/", valid_request())
    assert response.status_code == 302
    message = OutboxMessage.objects.get(template="account_created")
    assert message.state == State.PENDING
    with later(3600):
        assert outbox.deliver_due() == 1
    assert len(smtp.received) == 1


@pytest.mark.django_db
def test_without_a_worker_the_next_mail_also_retries_the_due_ones(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    smtp.answer_next_data_with("451 4.3.0 try again later")
    requester = Client()
    with django_capture_on_commit_callbacks(execute=True):
        requester.post("/account/aanvragen/", valid_request())
    waiting = OutboxMessage.objects.get(template="account_created")
    assert waiting.state == State.PENDING
    with later(3600), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        grant_mail()
    waiting.refresh_from_db()
    assert waiting.state == State.SENT
    assert len(smtp.received) == 2


@pytest.mark.django_db
def test_staff_can_push_a_mail_whose_retry_is_overdue(
    smtp, world, django_capture_on_commit_callbacks
) -> None:
    message = grant_mail()
    smtp.answer_next_data_with("451 4.3.0 try again later")
    outbox.deliver(message.pk)
    action = f'action="/register/e-mail/{message.code}/opnieuw/"'
    assert action not in staff_page(world)  # its retry is still to come
    with later(24 * 3600):
        assert action in staff_page(world)
        with django_capture_on_commit_callbacks(execute=True):
            client_for(world.staff).post(f"/register/e-mail/{message.code}/opnieuw/")
    message.refresh_from_db()
    assert message.state == State.SENT

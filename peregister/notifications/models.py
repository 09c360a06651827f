"""The outbox: every outgoing e-mail is a row, written in the transaction of the change."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One e-mail, from the moment a change promised it until a server accepted it (or gave up).

    ``message_id`` is fixed when the row is written and sent with every attempt, so a retry of a
    mail that the server did accept (a crash between its "250 OK" and our ``sent`` mark) reaches
    the recipient with the same Message-ID and can be recognised as the same mail.

    ``secret_keys`` names context values that must not outlive delivery (set-password links):
    they are removed from ``context`` once the message is sent or has failed for good.

    ``claimed_until`` is the lease of the attempt in progress: no other worker takes the mail
    before it runs out (a worker killed mid-send leaves the mail to be taken again after it).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("wacht op verzending")
        SENT = "sent", _("verstuurd")
        FAILED = "failed", _("niet afgeleverd")

    class ErrorKind(models.TextChoices):
        """Whose problem the last failed attempt was: this mail's, or the mail server's."""

        NONE = ""
        MAIL = "mail"  # a refused recipient or message, a 4xx for it, a template error
        SERVER = "server"  # the server refuses us: login, TLS, sender, greeting
        UNREACHABLE = "unreachable"  # no connection, a timeout, a cut connection

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message_id = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100)
    recipients = models.JSONField()
    context = models.JSONField(default=dict, blank=True)
    secret_keys = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, default="nl")
    # What promise the mail keeps (e.g. "set-password:<user id>"), so the screen that made the
    # promise can tell how it went.
    topic = models.CharField(max_length=100, blank=True, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    error_kind = models.CharField(
        max_length=12, choices=ErrorKind.choices, default=ErrorKind.NONE, blank=True
    )
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitgaande e-mail")
        verbose_name_plural = _("uitgaande e-mails")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.template} {self.state} ({self.attempts})"

"""Account holders and their users: employers (organisations) with their contact persons or
departments, and training providers (aanbieders) with their users.

A provider has the same shape as an employer (organisation data, a beheerder, more users, the
register's authorisation), so both are an ``Organisation`` told apart by ``kind``: one request
path, one set of user pages, one staff queue. What only an employer does (receiving *inzage*,
the *rapportage*) asks ``takes_grants``; what only a provider does asks ``is_provider``.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("werkgever")
        PROVIDER = "provider", _("aanbieder")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("aangevraagd")
        AUTHORISED = "authorised", _("geautoriseerd")
        REJECTED = "rejected", _("afgewezen")
        SUSPENDED = "suspended", _("geschorst")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Also a database default: rows written by hand (bench generator, old scripts) stay
    # employers, as every organisation was before providers existed.
    kind = models.CharField(
        _("soort account"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.EMPLOYER,
        db_default=Kind.EMPLOYER,
    )
    name = models.CharField(_("naam organisatie"), max_length=200)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8)
    street = models.CharField(_("straat en huisnummer"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=7)
    city = models.CharField(_("plaats"), max_length=100)
    phone = models.CharField(_("telefoonnummer"), max_length=20)
    email = models.EmailField(_("algemeen e-mailadres"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("aangevraagd op"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status gewijzigd op"), null=True, blank=True)
    status_reason = models.TextField(_("reden"), blank=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name", "id"]
        constraints = [
            # One live account per KvK number and kind. Requests may share one: whoever asks
            # first cannot block the real company (staff see the duplicate and decide); an
            # employer that also trains (or a provider that also employs) has one of each.
            models.UniqueConstraint(
                fields=["kvk_number", "kind"],
                condition=Q(status__in=["authorised", "suspended"]),
                name="organisation_kvk_kind_unique_while_live",
            ),
            models.CheckConstraint(
                condition=Q(kvk_number__regex=r"^[0-9]{8}$"), name="organisation_kvk_8_digits"
            ),
        ]
        indexes = [models.Index(fields=["status", "name"], name="org_status_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authorised(self) -> bool:
        return self.status == self.Status.AUTHORISED

    def review_fingerprint(self) -> str:
        """A digest of what register staff review before authorising: the organisation's data
        and its contacts. Staff's decision carries the digest of the page they saw; if the
        employer changed anything since, the decision is refused and staff look again."""
        contacts = sorted(
            (contact.name, contact.email, contact.role, str(contact.active))
            for contact in self.contacts.all()
        )
        fields = [self.name, self.kvk_number, self.street, self.postcode, self.city]
        fields += [self.phone, self.email]
        text = "\x1f".join([*fields, "\x1e".join("\x1f".join(c) for c in contacts)])
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def is_provider(self) -> bool:
        return self.kind == self.Kind.PROVIDER

    @property
    def takes_grants(self) -> bool:
        """An authorised employer: professionals can give its contacts *inzage*."""
        return self.is_authorised and self.kind == self.Kind.EMPLOYER

    @classmethod
    def taking_grants(cls, prefix: str = "") -> Q:
        """``takes_grants`` in SQL; ``prefix`` is the path to the organisation (``contact__``)."""
        return Q(**{f"{prefix}status": cls.Status.AUTHORISED, f"{prefix}kind": cls.Kind.EMPLOYER})


class Contact(models.Model):
    """A person or a department (shared mailbox) of an organisation, with a role.

    The administrator (beheerder) and deputy (2e contactpersoon) manage the organisation and
    fetch the report; every active contact can be granted access by a professional.
    """

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("beheerder")
        DEPUTY = "deputy", _("2e contactpersoon")
        CONTACT = "contact", _("contactpersoon")

    class Kind(models.TextChoices):
        PERSON = "person", _("persoon")
        DEPARTMENT = "department", _("afdeling")

    class Offer(models.TextChoices):
        ACCEPTED = "accepted", _("geaccepteerd")
        PENDING = "pending", _("nog niet geaccepteerd")
        DECLINED = "declined", _("afgewezen")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    # One person, one account: the same user can be a contact of several organisations (and a
    # professional too); ``accounts.roles`` lets them act for one role at a time.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts"
    )
    role = models.CharField(_("rol"), max_length=15, choices=Role.choices, default=Role.CONTACT)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("naam contactpersoon/afdeling"), max_length=200)
    email = models.EmailField(_("e-mailadres"))
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A role offered to someone who already has an account stays without access until that
    # person accepts it through the link mailed to them; every other contact (a new account's,
    # whose own set-password link is the confirmation, and every contact made before roles
    # could be offered) is accepted from the start. Declined offers stay (the audit trail
    # names the contact) and give nothing, ever.
    offer = models.CharField(
        _("rol"),
        max_length=10,
        choices=Offer.choices,
        default=Offer.ACCEPTED,
        db_default=Offer.ACCEPTED,
    )
    offer_answered_at = models.DateTimeField(_("rol beantwoord op"), null=True, blank=True)
    # How often the person declined this role: after ``services.MAX_DECLINES`` it is not
    # offered again (a beheerder cannot keep mailing someone who said no).
    declines = models.PositiveSmallIntegerField(_("keer afgewezen"), default=0, db_default=0)

    class Meta:
        verbose_name = _("contactpersoon")
        verbose_name_plural = _("contactpersonen")
        ordering = ["organisation", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="contact_one_per_person_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="administrator"),
                name="contact_one_administrator",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="deputy"),
                name="contact_at_most_one_deputy",
            ),
            models.CheckConstraint(
                condition=~Q(role="administrator") | Q(active=True),
                name="contact_administrator_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def accepted(self) -> bool:
        return self.offer == self.Offer.ACCEPTED

    @classmethod
    def usable(cls, prefix: str = "") -> Q:
        """Active and accepted: a contact whose role counts. The contacts a professional may be
        offered or shown (the grant form's choices and the managers it names), and the contact
        side of the access rule; ``prefix`` is the path from the queried model
        (``"contact__"``)."""
        return Q(**{f"{prefix}active": True, f"{prefix}offer": cls.Offer.ACCEPTED})

    @property
    def manages_organisation(self) -> bool:
        return (
            self.active
            and self.accepted
            and self.role in (self.Role.ADMINISTRATOR, self.Role.DEPUTY)
        )

"""THE access rule. Nothing else in the code decides who may see a professional's dossier.

A viewer may see a professional's dossier at time *t* iff the viewer, acting as professional,
is that professional, or acts for an **active**, **accepted** contact of an **authorised**
organisation with a grant from the professional to **that contact** that was granted at or
before *t*, is not revoked at *t*, and whose *geautoriseerd tot* date (Europe/Amsterdam,
inclusive) is not before *t*'s date.

A person with several roles acts in one at a time (``accounts.roles``): every decision here
reads the *acting* role only, never the person's other contacts. ``viewer`` is the request's
``Roles`` (resolved once per request and passed down by the page), or a user, whose acting
role is then the one resolved for the request it came with, or their default role.

The organisation report covers grants to **any** active contact of the viewer's
organisation and is only for its beheerder and 2e contactpersoon. Register staff see
dossiers through their staff permission (``staff_professionals``), a separate clause.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from peregister.access.models import AccessGrant
from peregister.accounts.roles import Roles, is_register_staff, roles_of
from peregister.core import clock
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import Professional


def _live_grant(at: dt.datetime) -> Q:
    """The one expression: a grant that gives access at ``at``."""
    return (
        Q(granted_at__lte=at)
        & (Q(revoked_at__isnull=True) | Q(revoked_at__gt=at))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=clock.local_date(at)))
        # Active, and a role offered to an existing account gives nothing until accepted.
        & Contact.usable("contact__")
        # Only an authorised employer's contacts see dossiers; a provider never does.
        & Organisation.taking_grants("contact__organisation__")
    )


def acting(viewer: Any) -> Roles:
    """The viewer's acting role: ``viewer`` itself when it is the request's ``Roles``."""
    return viewer if isinstance(viewer, Roles) else roles_of(viewer)


def live_grants_to_viewer(viewer: Any, at: dt.datetime | None = None) -> QuerySet[AccessGrant]:
    """Grants that currently let ``viewer``, acting as a contact, open a dossier: grants to
    that one contact only."""
    contact = acting(viewer).contact
    if contact is None:
        return AccessGrant.objects.none()
    return AccessGrant.objects.filter(_live_grant(at or clock.now()), contact_id=contact.pk)


def professionals_visible_to(viewer: Any, at: dt.datetime | None = None) -> QuerySet[Professional]:
    """Professionals whose full dossier ``viewer`` may open at ``at`` in the acting role."""
    roles = acting(viewer)
    if roles.professional is not None:
        return Professional.objects.filter(pk=roles.professional.pk)
    if roles.contact is None:
        return Professional.objects.none()
    granted = AccessGrant.objects.filter(
        _live_grant(at or clock.now()), professional=OuterRef("pk"), contact_id=roles.contact.pk
    )
    return Professional.objects.filter(Exists(granted))


def can_view_dossier(
    viewer: Any, professional: Professional, at: dt.datetime | None = None
) -> bool:
    return professionals_visible_to(viewer, at).filter(pk=professional.pk).exists()


def _get_by_code_or_404(queryset: QuerySet[Professional], code: uuid.UUID | str) -> Professional:
    """Unknown, malformed and forbidden codes all give the same 404."""
    try:
        return queryset.get(code=code)
    except (Professional.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_visible_professional_or_404(
    viewer: Any, code: uuid.UUID | str, at: dt.datetime | None = None
) -> Professional:
    """What a page calls to fetch a dossier (through ``access.dossiers.open_dossier``)."""
    return _get_by_code_or_404(professionals_visible_to(viewer, at), code)


@dataclass(frozen=True)
class ReportScope:
    """Who and what one *rapportage* covers, resolved once and passed to every report function.

    ``grants`` are the live grants at ``at`` to any active contact of ``organisation``: the
    report's rows. ``contact`` is the beheerder or 2e contactpersoon fetching it.
    """

    organisation: Organisation
    contact: Contact
    at: dt.datetime
    grants: QuerySet[AccessGrant]

    @property
    def today(self) -> dt.date:
        return clock.local_date(self.at)

    @property
    def covers(self) -> str:
        """What the report covers, as a key: two scopes with the same key (and organisation)
        give the same rows, so they may share a report snapshot. Every report scope is the
        whole organisation today; a narrower one (a contact's own grants) must get its own
        key, and with it its own snapshots."""
        return "organisation"

    @property
    def professionals(self) -> QuerySet[AccessGrant, Any]:
        """The included professionals as one column of ids (for ``audit.service.record``)."""
        return self.grants.values("professional_id")

    def included(self) -> QuerySet[Professional]:
        """The professionals in the report (a row each, or one per current period)."""
        return Professional.objects.filter(Exists(self.grants.filter(professional=OuterRef("pk"))))

    def grant_history(self) -> QuerySet[AccessGrant]:
        """Every grant ever given to a contact of the organisation, in any state: where the
        HR API's ``changes`` feed looks for grants that began or ended. Never what is shown:
        that is ``grants`` alone."""
        return AccessGrant.objects.filter(contact__organisation_id=self.organisation.pk)


def contact_of(viewer: Any) -> Contact | None:
    """The contact ``viewer`` acts for (it arrives with ``request.user``, see
    ``accounts.backends``); None while acting as professional."""
    return acting(viewer).contact


def report_scope(viewer: Any, at: dt.datetime | None = None) -> ReportScope | None:
    """The report ``viewer`` may fetch at ``at``: only an active beheerder or 2e contactpersoon
    of an authorised organisation, acting for that organisation, has one.

    Decided from the acting contact and its organisation as loaded with the user (once per
    request, ``accounts.backends``), not re-read here: a page's ``request.user`` is fresh for
    the request. A caller that holds a user longer (a scheduled job, a worker, an API client
    object kept across requests) must pass roles of a user loaded just before the call, as
    ``export_report`` does; a role or organisation status changed after loading is otherwise
    not seen. The grants themselves are always read in SQL at ``at``.
    """
    contact = contact_of(viewer)
    if contact is None or not contact.manages_organisation or not contact.organisation.takes_grants:
        return None
    moment = at or clock.now()
    grants = AccessGrant.objects.filter(
        _live_grant(moment), contact__organisation_id=contact.organisation_id
    )
    return ReportScope(organisation=contact.organisation, contact=contact, at=moment, grants=grants)


def report_scope_or_404(viewer: Any, at: dt.datetime | None = None) -> ReportScope:
    scope = report_scope(viewer, at)
    if scope is None:
        raise Http404
    return scope


def report_grants(viewer: Any, at: dt.datetime | None = None) -> QuerySet[AccessGrant]:
    """Live grants to any active contact of the viewer's organisation (report rows)."""
    scope = report_scope(viewer, at)
    return scope.grants if scope is not None else AccessGrant.objects.none()


def report_professionals(viewer: Any, at: dt.datetime | None = None) -> QuerySet[Professional]:
    """Professionals in the viewer's organisation report (none for anyone else)."""
    scope = report_scope(viewer, at)
    return scope.included() if scope is not None else Professional.objects.none()


def staff_professionals(viewer: Any) -> QuerySet[Professional]:
    """The staff clause: register staff see every dossier in the back-office (audited)."""
    staff = viewer.is_staff if isinstance(viewer, Roles) else is_register_staff(viewer)
    return Professional.objects.all() if staff else Professional.objects.none()


def get_staff_professional_or_404(viewer: Any, code: uuid.UUID | str) -> Professional:
    return _get_by_code_or_404(staff_professionals(viewer), code)


def grants_giving_access(grants: QuerySet[AccessGrant], at: dt.datetime | None = None) -> set[int]:
    """Ids of ``grants`` that open a dossier at ``at``.

    A grant can be open (not revoked, not past its date) and still give no access, because the
    organisation is suspended or the contact deactivated; the professional is told so.
    """
    return set(grants.filter(_live_grant(at or clock.now())).values_list("pk", flat=True))


def alert_grants(
    contact: Contact, at: dt.datetime | None = None, *, whole_organisation: bool = False
) -> QuerySet[AccessGrant]:
    """Live grants at ``at`` whose professionals an alert to ``contact`` may name.

    The grants to ``contact`` itself; with ``whole_organisation``, for a beheerder or 2e
    contactpersoon, those of the organisation report (any active contact of its
    organisation). Read in SQL at ``at`` (the moment of sending), the recipient included:
    a deactivated contact or a suspended organisation gets none, and a grant revoked or
    ended before ``at`` names nobody from that moment.
    """
    moment = at or clock.now()
    recipient = Contact.objects.filter(
        Organisation.taking_grants("organisation__"), Contact.usable(), pk=contact.pk
    )
    live = AccessGrant.objects.filter(_live_grant(moment), Exists(recipient))
    if whole_organisation and contact.role in (Contact.Role.ADMINISTRATOR, Contact.Role.DEPUTY):
        # The role as stored now, not as loaded: a beheerder demoted meanwhile is no longer one.
        manager = recipient.filter(role__in=(Contact.Role.ADMINISTRATOR, Contact.Role.DEPUTY))
        return live.filter(Exists(manager), contact__organisation_id=contact.organisation_id)
    return live.filter(contact_id=contact.pk)

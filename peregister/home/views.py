from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peregister.access import policies
from peregister.accounts.guards import authenticated
from peregister.accounts.roles import request_roles
from peregister.core import clock
from peregister.organisations.models import Organisation
from peregister.registry.dossier import registration_views
from peregister.registry.models import RenewalSubmission, SelfReport


@authenticated
def home(request: HttpRequest) -> HttpResponse:
    """The landing page of each role, with its own real figures."""
    roles = request_roles(request)
    context: dict[str, object] = {"roles": roles}
    if roles.professional is not None:
        context["registrations"] = registration_views(roles.professional, clock.today())
    if roles.contact is not None and roles.contact.organisation.is_provider:
        context["organisation"] = roles.contact.organisation
    elif roles.contact is not None:
        contact = roles.contact
        context["granted_to_me"] = policies.live_grants_to_viewer(roles).count()
        context["organisation"] = contact.organisation
        context["authorisation_days"] = settings.AUTHORISATION_WORKING_DAYS
        if roles.manages_organisation:
            # Counted from the organisation's live grants, not by probing every professional.
            context["in_report"] = (
                policies.report_grants(roles).values("professional_id").distinct().count()
            )
            context["contact_count"] = contact.organisation.contacts.filter(active=True).count()
    if roles.is_staff:
        context["staff_counts"] = {
            "requested": Organisation.objects.filter(status=Organisation.Status.REQUESTED).count(),
            "renewals": RenewalSubmission.objects.filter(
                status=RenewalSubmission.Status.SUBMITTED
            ).count(),
            "self_reports": SelfReport.objects.filter(status=SelfReport.Status.SUBMITTED).count(),
            **Organisation.objects.aggregate(
                authorised=Count("pk", filter=Q(status=Organisation.Status.AUTHORISED))
            ),
        }
    return render(request, "home/home.html", context)

"""The one way views fetch team-owned data: outside the user's teams everything is a 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from apps.accounts.models import Membership

from .models import Assessment

FROZEN_MESSAGE = "This assessment is approved and read-only until a supervisor reopens it."
ARCHIVED_MESSAGE = "This assessment is archived and read-only until a team admin restores it."


def assessment_for_user(
    user, pk: int, *, write: bool = False, review: bool = False, while_frozen: bool = False
) -> Assessment:
    """The assessment if the user's team owns it; 404 otherwise.

    write=True also requires an editing role (analyst, team admin) and review=True a reviewing role
    (supervisor, team admin); a member without it gets 403, since they may know the assessment exists.
    Any write or review is refused (403) on an approved assessment unless while_frozen says the view is
    one that may act on it anyway (reopen, comment). An archived assessment is a 404 except for team
    admins, who see it read-only.
    """
    if not user.is_authenticated:
        raise Http404
    # One query: the join that proves membership also brings the member's role.
    assessment = (
        # The rescore queue rides along for the panel's "scoring is delayed" (selectors.rescoring_delayed).
        Assessment.objects.select_related("team", "marking", "rescore_queue")
        .filter(pk=pk, team__memberships__user=user)
        .annotate(member_role=F("team__memberships__role"), membership_id=F("team__memberships__id"))
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment.")
    membership = Membership(pk=assessment.membership_id, user=user, team=assessment.team, role=assessment.member_role)
    if assessment.archived_at is not None and not membership.is_team_admin:
        raise Http404("No such assessment.")
    if write and not membership.can_edit:
        raise PermissionDenied("Your role in this team cannot edit assessments.")
    if review and not membership.can_review:
        raise PermissionDenied("Only supervisors can do this.")
    if assessment.archived_at is not None:
        membership.read_only = True
        if write or review:
            raise PermissionDenied(ARCHIVED_MESSAGE)
    if assessment.status == Assessment.Status.APPROVED:
        membership.read_only = True
        if (write or review) and not while_frozen:
            raise PermissionDenied(FROZEN_MESSAGE)
    assessment.membership = membership
    return assessment

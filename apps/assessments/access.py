"""The one way views fetch team-owned data: outside the user's teams everything is a 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404

from apps.accounts.models import Membership

from .models import Assessment

FROZEN_MESSAGE = "This assessment is approved and read-only until a supervisor reopens it."
ARCHIVED_MESSAGE = "This assessment is archived and read-only until a team admin restores it."
RESOLVED_MESSAGE = "This assessment is resolved and read-only until a supervisor un-resolves it."


def write_refusal(assessment: Assessment) -> str | None:
    """Why nobody may change the assessment's content now, or None when they may.

    The one rule of the freeze: every door keeps it, the pages through assessment_for_user and every
    service through assessment_bump (or assessment_write_check when it bumps nothing). A new frozen
    state is one more line here.
    """
    if assessment.archived_at is not None:
        return ARCHIVED_MESSAGE
    if assessment.status == Assessment.Status.APPROVED:
        return FROZEN_MESSAGE
    if assessment.resolved_at is not None:
        return RESOLVED_MESSAGE
    return None


def writable() -> Q:
    """write_refusal as a query filter: the assessments nobody has frozen (kept beside it, one rule)."""
    return Q(archived_at=None, resolved_at=None) & ~Q(status=Assessment.Status.APPROVED)


def conversation_check(assessment: Assessment) -> None:
    """Comment threads and review remarks go on while an assessment is approved or resolved (they are the
    review), never once it is archived: PermissionDenied then, like any write."""
    if assessment.archived_at is not None:
        raise PermissionDenied(ARCHIVED_MESSAGE)


def assessment_write_check(assessment: Assessment) -> None:
    """PermissionDenied (with the reason) when the assessment is frozen."""
    refusal = write_refusal(assessment)
    if refusal is not None:
        raise PermissionDenied(refusal)


def assessment_for_user(
    user, pk: int, *, write: bool = False, review: bool = False, while_frozen: bool = False
) -> Assessment:
    """The assessment if the user's team owns it; 404 otherwise.

    write=True also requires an editing role (analyst, team admin) and review=True a reviewing role
    (supervisor, team admin); a member without it gets 403, since they may know the assessment exists.
    Any write or review is refused (403) on an approved or resolved assessment unless while_frozen says the
    view is one that may act on it anyway (reopen, un-resolve, comment). An archived assessment is a 404
    except for team admins, who see it read-only.
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
    # Archived was answered above: what is left is approved or resolved.
    frozen = write_refusal(assessment)
    if frozen is not None:
        membership.read_only = True
        if (write or review) and not while_frozen:
            raise PermissionDenied(frozen)
    assessment.membership = membership
    return assessment

"""Review: analysts submit a matrix, supervisors approve it or return it with comments."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from ..access import conversation_check
from ..models import Activity, Assessment
from .activity import activity_record

REVIEW_TRANSITIONS = {
    "submit": ({Assessment.Status.DRAFT, Assessment.Status.RETURNED}, Assessment.Status.IN_REVIEW),
    "approve": ({Assessment.Status.IN_REVIEW}, Assessment.Status.APPROVED),
    "return": ({Assessment.Status.IN_REVIEW}, Assessment.Status.RETURNED),
    "reopen": ({Assessment.Status.APPROVED}, Assessment.Status.DRAFT),
}

COMMENT_MAX = 5000


def _comment_clean(comment: str) -> str:
    comment = comment.strip()
    if "\x00" in comment:
        raise ValidationError({"comment": "Comment: remove the NUL characters it contains."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Comment: at most {COMMENT_MAX} characters (it has {len(comment)})."})
    return comment


@transaction.atomic
def assessment_review(*, assessment: Assessment, user: User, action: str, comment: str = "") -> Assessment:
    """Move the assessment through review; every step is recorded in the feed and notifies the team.

    The caller checks the role: analysts submit, supervisors approve, return (with a comment) or reopen.
    """
    if action not in REVIEW_TRANSITIONS:
        raise ValidationError({"action": f"Unknown review action “{action}”."})
    comment = _comment_clean(comment)
    if action == "return" and not comment:
        raise ValidationError({"comment": "Say what needs another look before returning the matrix."})
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    conversation_check(assessment)
    allowed_from, target = REVIEW_TRANSITIONS[action]
    if assessment.status not in allowed_from:
        raise ValidationError(
            {"action": f"A matrix that is {assessment.get_status_display().lower()} cannot be {action}ed."}
        )
    assessment.status = target
    assessment.save(update_fields=["status", "updated_at"])
    verb = {"submit": "submitted for review", "approve": "approved", "return": "returned", "reopen": "reopened"}
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.REVIEW,
        message=f"{user.get_username()} {verb[action]} the assessment" + (f": {comment}" if comment else "."),
        actor=user,
        data={"action": action, "comment": comment},
        notify=True,
    )
    return assessment


@transaction.atomic
def review_comment(*, assessment: Assessment, user: User, comment: str) -> Activity:
    conversation_check(Assessment.objects.get(pk=assessment.pk))
    comment = _comment_clean(comment)
    if not comment:
        raise ValidationError({"comment": "Write a comment first."})
    return activity_record(
        assessment=assessment,
        kind=Activity.Kind.REVIEW,
        message=f"{user.get_username()} commented: {comment}",
        actor=user,
        data={"action": "comment", "comment": comment},
        notify=True,
    )

"""Comment threads: start one on a place of the assessment, reply, resolve and reopen; each lands in the feed."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.assessments.access import conversation_check
from apps.assessments.models import Activity, Assessment
from apps.assessments.services import activity_record
from apps.assessments.techniques import Merge
from apps.assessments.visibility import view_for

from .models import Comment, Thread
from .selectors import target_type, targets_for

BODY_LIMIT = 5000


def _body_clean(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    if len(body) > BODY_LIMIT:
        raise ValidationError({"body": f"Keep a comment under {BODY_LIMIT} characters."})
    return body


def _record(*, thread: Thread, user: User, action: str, message: str) -> None:
    activity_record(
        assessment=thread.assessment,
        kind=Activity.Kind.REVIEW,
        message=message,
        actor=user,
        data={"action": action, "thread": thread.pk, "place": thread.place},
        notify=True,
    )


@transaction.atomic
def thread_start(
    *,
    assessment: Assessment,
    user: User,
    body: str,
    evidence_id: int | None = None,
    hypothesis_id: int | None = None,
    assumption_id: int | None = None,
    indicator_id: int | None = None,
) -> Thread:
    """A new thread on a cell (evidence and hypothesis), an evidence item, a hypothesis, an assumption or an
    indicator of this assessment, with its first comment. The caller checks the role."""
    conversation_check(Assessment.objects.get(pk=assessment.pk))
    body = _body_clean(body)
    chosen = [name for name, value in (("assumption", assumption_id), ("indicator", indicator_id)) if value]
    if chosen and (evidence_id or hypothesis_id) or len(chosen) > 1:
        raise ValidationError(
            "A thread is about one place: a cell, an evidence item, a hypothesis, an assumption or an indicator."
        )
    thread = Thread(assessment=assessment, started_by=user)
    if chosen:
        kind = Thread.Kind(chosen[0])
        target_id = assumption_id or indicator_id
        if not targets_for(assessment=assessment, kind=kind).filter(pk=target_id).exists():
            raise ValidationError({kind.value: f"No such {kind.label.lower()} in this assessment."})
        thread.kind, thread.target_type, thread.target_id = kind, target_type(kind), target_id
    else:
        if evidence_id:
            thread.evidence = assessment.evidence.filter(pk=evidence_id).first()
            if thread.evidence is None:
                raise ValidationError({"evidence": "No such evidence item in this assessment."})
        if hypothesis_id:
            thread.hypothesis = assessment.hypotheses.filter(pk=hypothesis_id).first()
            if thread.hypothesis is None:
                raise ValidationError({"hypothesis": "No such hypothesis in this assessment."})
        if thread.evidence and thread.hypothesis:
            thread.kind = Thread.Kind.CELL
            # Anchoring, at every door: a cell's thread shows teammates' views of a row the user has not
            # rated in full; they may start one only where they could already read one.
            view = view_for(assessment=assessment, user=user)
            if not view.sees_all and thread.evidence.pk in set(view.hidden.get("ach", ())):
                raise ValidationError(
                    f"Rate every cell of {thread.evidence.key} yourself before starting a thread on one of them."
                )
        elif thread.evidence:
            thread.kind = Thread.Kind.EVIDENCE
        elif thread.hypothesis:
            thread.kind = Thread.Kind.HYPOTHESIS
        else:
            raise ValidationError("Choose what the comment is about.")
    thread.save()
    Comment.objects.create(thread=thread, author=user, body=body)
    _record(
        thread=thread, user=user, action="thread_start", message=f"{user.get_username()} commented on {thread.place}."
    )
    return thread


@transaction.atomic
def comment_add(*, thread: Thread, user: User, body: str) -> Comment:
    conversation_check(Assessment.objects.get(pk=thread.assessment_id))
    body = _body_clean(body)
    comment = Comment.objects.create(thread=thread, author=user, body=body)
    thread.save(update_fields=["updated_at"])
    _record(thread=thread, user=user, action="reply", message=f"{user.get_username()} replied on {thread.place}.")
    return comment


@transaction.atomic
def thread_resolve(*, thread: Thread, user: User, resolved: bool) -> Thread:
    """Resolve (resolved=True) or reopen a thread; doing what is already done is refused."""
    conversation_check(Assessment.objects.get(pk=thread.assessment_id))
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins to the place.
    thread = Thread.objects.select_for_update(of=("self",)).select_related("evidence", "hypothesis").get(pk=thread.pk)
    if thread.resolved == resolved:
        raise ValidationError(f"This thread is already {'resolved' if resolved else 'open'}.")
    thread.resolved_at, thread.resolved_by = (timezone.now(), user) if resolved else (None, None)
    thread.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    verb = "resolved" if resolved else "reopened"
    _record(
        thread=thread,
        user=user,
        action="thread_resolve" if resolved else "thread_reopen",
        message=f"{user.get_username()} {verb} the thread on {thread.place}.",
    )
    return thread


def threads_merge(merge: Merge) -> dict[str, int]:
    """Comment threads' part of a merge (apps.assessments.services.items_merge): the threads on a merged item,
    and on its cells, are on the kept item's."""
    moved = Thread.objects.filter(**{merge.kind: merge.duplicate}).update(**{merge.kind: merge.kept})
    return {"comment threads": moved}

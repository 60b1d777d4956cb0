import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import (
    Activity,
    Assessment,
    Evidence,
    Hypothesis,
    Notification,
    RescoreQueue,
    ScoreSnapshot,
    priors_validate,
)
from .rescoring import TECHNIQUES, evidence_columns
from .signals import evidence_arrived

logger = logging.getLogger(__name__)


@transaction.atomic
def assessment_create(*, team, user, title: str, question: str, description: str = "") -> Assessment:
    assessment = Assessment.objects.create(
        team=team, title=title, question=question, description=description, created_by=user
    )
    RescoreQueue.objects.create(assessment=assessment)
    activity_record(assessment=assessment, kind=Activity.Kind.CHANGE, message="Assessment created", actor=user)
    assessment_bump(assessment_id=assessment.pk, change="created")
    return assessment


def assessment_bump(*, assessment_id: int, change: str) -> int:
    """Bump the content version inside the caller's transaction; rescoring is enqueued on commit.

    The UPDATE also locks the assessment row until commit, which serialises the key counters and
    keeps a snapshot's reads consistent with the version it records (see snapshot_compute).
    """
    Assessment.objects.filter(pk=assessment_id).update(
        content_version=F("content_version") + 1, last_change=change[:200], updated_at=timezone.now()
    )
    version = Assessment.objects.values_list("content_version", flat=True).get(pk=assessment_id)
    transaction.on_commit(lambda: rescore_request(assessment_id=assessment_id))
    return version


def rescore_request(*, assessment_id: int, force: bool = False) -> bool:
    """Enqueue one rescoring unless one is already queued; True when a task was sent.

    A broker that is down is logged and left to the periodic sweep: the save has committed already
    and its content version records that a rescoring is due.
    """
    from .tasks import rescore_assessment

    claimed = RescoreQueue.objects.filter(assessment_id=assessment_id, queued=False).update(
        queued=True, queued_at=timezone.now()
    )
    if not claimed and not force:
        return False
    if not claimed:
        RescoreQueue.objects.update_or_create(
            assessment_id=assessment_id, defaults={"queued": True, "queued_at": timezone.now()}
        )
    try:
        # A short countdown lets a burst of saves share one rescoring: saves made while this task
        # waits find the claim taken and enqueue nothing; the task then scores the latest version.
        rescore_assessment.apply_async((assessment_id,), countdown=settings.RESCORE_COALESCE_SECONDS or None)
    except Exception:  # noqa: BLE001 - any broker failure; the sweep will retry
        logger.warning("Could not enqueue rescoring of assessment %s; the sweep will retry", assessment_id)
        RescoreQueue.objects.filter(assessment_id=assessment_id).update(queued=False)
        return False
    return True


def rescore_unclaim(*, assessment_id: int) -> None:
    RescoreQueue.objects.filter(assessment_id=assessment_id).update(queued=False)


def _triggering_evidence(assessment_id: int, after_version: int, up_to_version: int) -> list[str]:
    return list(
        Evidence.objects.filter(
            assessment_id=assessment_id,
            added_in_version__gt=after_version,
            added_in_version__lte=up_to_version,
        ).values_list("key", flat=True)
    )


def snapshot_compute(*, assessment_id: int) -> ScoreSnapshot | None:
    """Score the assessment's current content version once; None when it is already scored.

    Idempotent: the version is compared with the latest snapshot before any work, and the unique
    (assessment, version) constraint makes a racing second worker's insert a no-op.
    """
    rescore_unclaim(assessment_id=assessment_id)
    with transaction.atomic():
        # The row lock makes writers (whose version bump updates this row) and a second worker wait
        # for the few milliseconds of scoring, so every read below sees exactly the state of the
        # version recorded in the snapshot.
        assessment = Assessment.objects.select_for_update().filter(pk=assessment_id).first()
        if assessment is None:
            return None
        previous = ScoreSnapshot.objects.filter(assessment_id=assessment_id).order_by("-version").first()
        if previous is not None and previous.version >= assessment.content_version:
            return None
        started = time.perf_counter()
        results = {name: technique.compute(assessment) for name, technique in TECHNIQUES.items()}
        alerts: list[dict] = []
        for name, technique in TECHNIQUES.items():
            previous_results = previous.results.get(name) if previous else None
            alerts.extend(technique.alerts(previous_results, results[name]))
        duration_ms = (time.perf_counter() - started) * 1000
        try:
            with transaction.atomic():
                snapshot = ScoreSnapshot.objects.create(
                    assessment=assessment,
                    version=assessment.content_version,
                    trigger=assessment.last_change,
                    trigger_evidence=_triggering_evidence(
                        assessment_id, previous.version if previous else 0, assessment.content_version
                    ),
                    results=results,
                    duration_ms=duration_ms,
                )
        except IntegrityError:
            return None
        for name, technique in TECHNIQUES.items():
            alerts.extend(technique.apply(assessment, results[name]))
        if alerts:
            snapshot.alerts = alerts
            snapshot.save(update_fields=["alerts"])
            for alert in alerts:
                activity_record(
                    assessment=assessment,
                    kind=alert.get("kind", Activity.Kind.ALERT),
                    message=alert["message"],
                    version=snapshot.version,
                    data=alert,
                    notify=True,
                )
    return snapshot


def activity_record(
    *, assessment: Assessment, kind: str, message: str, actor=None, version=None, data=None, notify=False
) -> Activity:
    activity = Activity.objects.create(
        assessment=assessment, kind=kind, message=message, actor=actor, version=version, data=data or {}
    )
    if notify:
        _team_notify(assessment=assessment, activity=activity)
    return activity


def _team_notify(*, assessment: Assessment, activity: Activity) -> None:
    members = list(assessment.team.members.exclude(pk=getattr(activity.actor, "pk", None)))
    Notification.objects.bulk_create(
        [Notification(user=user, activity=activity) for user in members], ignore_conflicts=True
    )
    recipients = [user.email for user in members if user.email]
    if recipients:
        subject = f"[SAT Workbench] {assessment.title}: {activity.get_kind_display().lower()}"
        transaction.on_commit(
            lambda: send_mail(subject, activity.message, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )


def assessments_stale() -> list[int]:
    from django.db.models import Max, Q

    return list(
        Assessment.objects.annotate(scored=Max("snapshots__version"))
        .filter(Q(scored__isnull=True) | Q(scored__lt=F("content_version")))
        .values_list("pk", flat=True)
    )


def snapshot_sweep() -> list[int]:
    """Enqueue a rescoring of every assessment whose latest snapshot is behind its content version."""
    stale_ids = assessments_stale()
    for assessment_id in stale_ids:
        rescore_request(assessment_id=assessment_id, force=True)
    return stale_ids


# Hypotheses and evidence are shared by every technique, so their writes live here.

HYPOTHESIS_FIELDS = ("statement", "prior")
EVIDENCE_FIELDS = ("summary", "source", "citation", "date", "type", "credibility", "relevance")


def _next_key(*, assessment_id: int, counter: str, prefix: str) -> str:
    # The caller already holds the assessment row lock (taken by assessment_bump).
    Assessment.objects.filter(pk=assessment_id).update(**{counter: F(counter) + 1})
    number = Assessment.objects.values_list(counter, flat=True).get(pk=assessment_id)
    return f"{prefix}{number}"


@transaction.atomic
def hypothesis_create(*, assessment: Assessment, user, statement: str, key: str | None = None) -> Hypothesis:
    assessment_bump(assessment_id=assessment.pk, change=f"hypothesis added by {user or 'import'}")
    if key is None:
        key = _next_key(assessment_id=assessment.pk, counter="hypothesis_counter", prefix="H")
    order = assessment.hypotheses.count()
    # A new hypothesis breaks explicit priors that summed to 1: fall back to uniform.
    reset = assessment.hypotheses.filter(prior__isnull=False).update(prior=None)
    hypothesis = Hypothesis.objects.create(assessment=assessment, key=key, statement=statement, order=order)
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Hypothesis {key} added" + (" (priors reset to uniform)" if reset else ""),
        actor=user,
    )
    return hypothesis


@transaction.atomic
def hypothesis_update(*, hypothesis: Hypothesis, user, statement: str) -> Hypothesis:
    assessment_bump(assessment_id=hypothesis.assessment_id, change=f"hypothesis {hypothesis.key} edited")
    hypothesis.statement = statement
    hypothesis.save(update_fields=["statement", "updated_at"])
    return hypothesis


@transaction.atomic
def hypothesis_delete(*, hypothesis: Hypothesis, user) -> None:
    assessment = hypothesis.assessment
    assessment_bump(assessment_id=assessment.pk, change=f"hypothesis {hypothesis.key} deleted")
    assessment.hypotheses.filter(prior__isnull=False).update(prior=None)
    activity_record(
        assessment=assessment, kind=Activity.Kind.CHANGE, message=f"Hypothesis {hypothesis.key} deleted", actor=user
    )
    hypothesis.delete()


@transaction.atomic
def priors_set(*, assessment: Assessment, user, priors: dict[int, float | None]) -> None:
    """Set every hypothesis's prior at once (all None = uniform); they must sum to 1."""
    hypotheses = list(assessment.hypotheses.all())
    values = [priors.get(h.pk) for h in hypotheses]
    priors_validate(values)
    assessment_bump(assessment_id=assessment.pk, change="priors changed")
    for hypothesis, value in zip(hypotheses, values, strict=True):
        hypothesis.prior = value
    Hypothesis.objects.bulk_update(hypotheses, ["prior"])


def _reorder(model, *, assessment: Assessment, ordered_ids: list[int]) -> None:
    items = {item.pk: item for item in model.objects.filter(assessment=assessment)}
    if set(ordered_ids) != set(items):
        raise ValidationError("The new order must list every item exactly once.")
    for position, pk in enumerate(ordered_ids):
        items[pk].order = position
    model.objects.bulk_update(items.values(), ["order"])


@transaction.atomic
def hypothesis_reorder(*, assessment: Assessment, user, ordered_ids: list[int]) -> None:
    _reorder(Hypothesis, assessment=assessment, ordered_ids=ordered_ids)


def evidence_create(*, assessment: Assessment, user, via: str = "form", **fields) -> Evidence:
    return evidence_add(assessment=assessment, user=user, items=[fields], via=via)[0]


@transaction.atomic
def evidence_add(*, assessment: Assessment, user, items: list[dict], via: str) -> list[Evidence]:
    """The one path by which evidence arrives (form, CSV/XLSX import, JSON import, API).

    All items land in one transaction and one content version; any invalid item rejects them all
    with a ValidationError whose message_dict is keyed "row N" (1-based).
    """
    version = assessment_bump(assessment_id=assessment.pk, change=f"evidence added ({via})")
    base_order = Evidence.objects.filter(assessment=assessment).count()
    created, errors = [], {}
    explicit_numbers = []
    for position, fields in enumerate(items):
        key = fields.get("key") or _next_key(assessment_id=assessment.pk, counter="evidence_counter", prefix="E")
        evidence = Evidence(
            assessment=assessment,
            key=key,
            added_by=user,
            added_in_version=version,
            order=base_order + position,
            **{name: value for name, value in fields.items() if name in EVIDENCE_FIELDS},
        )
        try:
            evidence.full_clean(exclude=["assessment", "added_by"], validate_unique=False)
        except ValidationError as exc:
            errors[f"row {position + 1}"] = [
                f"{field}: {'; '.join(messages)}" for field, messages in exc.message_dict.items()
            ]
            continue
        if fields.get("key") and key[1:].isdigit():
            explicit_numbers.append(int(key[1:]))
        created.append(evidence)
    if errors:
        raise ValidationError(errors)
    keys = [e.key for e in created]
    duplicates = set(keys) & set(
        Evidence.objects.filter(assessment=assessment, key__in=keys).values_list("key", flat=True)
    )
    if duplicates or len(set(keys)) != len(keys):
        raise ValidationError({"key": [f"Duplicate evidence keys: {', '.join(sorted(duplicates) or keys)}"]})
    created = Evidence.objects.bulk_create(created)
    columns = evidence_columns()
    for evidence, fields in zip(created, items, strict=True):
        for name, raw in (fields.get("links") or {}).items():
            columns[name].apply(assessment, evidence, raw, user)
    if explicit_numbers:
        Assessment.objects.filter(pk=assessment.pk, evidence_counter__lt=max(explicit_numbers)).update(
            evidence_counter=max(explicit_numbers)
        )
    if len(created) == 1:
        message = f"Evidence {created[0].key} added ({via}): {created[0].summary[:80]}"
    else:
        message = f"{len(created)} evidence items added ({via}): {', '.join(keys[:10])}{'…' if len(keys) > 10 else ''}"
    activity_record(assessment=assessment, kind=Activity.Kind.CHANGE, message=message, actor=user, version=version)
    evidence_arrived.send(sender=Evidence, assessment=assessment, evidence=created, user=user)
    return created


@transaction.atomic
def evidence_update(*, evidence: Evidence, user, **fields) -> Evidence:
    assessment_bump(assessment_id=evidence.assessment_id, change=f"evidence {evidence.key} edited")
    for name, value in fields.items():
        if name in EVIDENCE_FIELDS:
            setattr(evidence, name, value)
    evidence.full_clean(exclude=["assessment", "added_by"])
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, user) -> None:
    assessment = evidence.assessment
    assessment_bump(assessment_id=assessment.pk, change=f"evidence {evidence.key} deleted")
    activity_record(
        assessment=assessment,
        kind=Activity.Kind.CHANGE,
        message=f"Evidence {evidence.key} deleted: {evidence.summary[:80]}",
        actor=user,
    )
    evidence.delete()


@transaction.atomic
def evidence_reorder(*, assessment: Assessment, user, ordered_ids: list[int]) -> None:
    _reorder(Evidence, assessment=assessment, ordered_ids=ordered_ids)


# Review: analysts submit a matrix, supervisors approve it or return it with comments.

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
def assessment_review(*, assessment: Assessment, user, action: str, comment: str = "") -> Assessment:
    """Move the assessment through review; every step is recorded in the feed and notifies the team.

    The caller checks the role: analysts submit, supervisors approve, return (with a comment) or reopen.
    """
    if action not in REVIEW_TRANSITIONS:
        raise ValidationError({"action": f"Unknown review action “{action}”."})
    comment = _comment_clean(comment)
    if action == "return" and not comment:
        raise ValidationError({"comment": "Say what needs another look before returning the matrix."})
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
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
def review_comment(*, assessment: Assessment, user, comment: str) -> Activity:
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

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, QuerySet

from apps.accounts.models import Membership
from apps.assessments.models import Assessment
from apps.assessments.visibility import view_for

from .models import Thread

# The technique models a thread can point at, by natural key, so this app imports no technique.
TARGET_MODELS = {
    Thread.Kind.ASSUMPTION: ("key_assumptions", "assumption"),
    Thread.Kind.INDICATOR: ("indicators", "indicator"),
}


def target_type(kind: str) -> ContentType:
    return ContentType.objects.get_by_natural_key(*TARGET_MODELS[Thread.Kind(kind)])


def targets_for(*, assessment: Assessment, kind: str) -> QuerySet:
    model = target_type(kind).model_class()
    assert model is not None
    return model._default_manager.filter(assessment=assessment).order_by("order", "id")


def _hidden_rows(*, assessment: Assessment, user: User, membership: Membership) -> set[int] | None:
    """Evidence ids whose cell threads this user may not see yet (the visibility policy's hidden ACH rows:
    apps.assessments.visibility); None means every row is visible."""
    view = view_for(assessment=assessment, user=user, role=membership.role)
    return None if view.sees_all else set(view.hidden.get("ach", ()))


def thread_visible(*, thread: Thread, user: User, membership: Membership) -> bool:
    """Supervisors see every thread; an analyst sees a cell's thread once they have rated its whole row."""
    if thread.kind != Thread.Kind.CELL or membership.can_review:
        return True
    hidden = _hidden_rows(assessment=thread.assessment, user=user, membership=membership)
    return hidden is None or thread.evidence_id not in hidden


@dataclass
class ThreadList:
    threads: list[Thread]
    hidden: int = 0


def threads_for(
    *,
    assessment: Assessment,
    user: User,
    membership: Membership,
    unresolved_only: bool = False,
    evidence_id: int | None = None,
    target: tuple[str, int] | None = None,
) -> ThreadList:
    query = (
        Thread.objects.filter(assessment=assessment)
        .select_related("evidence", "hypothesis", "started_by", "resolved_by", "target_type")
        .annotate(comment_count=Count("comments"), last_comment_at=Max("comments__created_at"))
    )
    if unresolved_only:
        query = query.filter(resolved_at__isnull=True)
    if evidence_id is not None:
        query = query.filter(evidence_id=evidence_id)
    if target is not None:
        query = query.filter(kind=target[0], target_id=target[1])
    threads: list[Thread] = list(query)
    _targets_attach(threads)
    hidden_rows = _hidden_rows(assessment=assessment, user=user, membership=membership)
    if not hidden_rows:
        return ThreadList(threads=threads)
    visible = [t for t in threads if not (t.kind == Thread.Kind.CELL and t.evidence_id in hidden_rows)]
    return ThreadList(threads=visible, hidden=len(threads) - len(visible))


def _targets_attach(threads: list[Thread]) -> None:
    """Load assumption and indicator targets with one query per kind instead of one per thread."""
    by_type: dict[int, list[Thread]] = {}
    for thread in threads:
        if thread.target_type_id:
            by_type.setdefault(thread.target_type_id, []).append(thread)
    for group in by_type.values():
        content_type = group[0].target_type
        model = content_type.model_class() if content_type is not None else None
        if model is None:
            continue
        objects = model._default_manager.in_bulk([t.target_id for t in group])
        for thread in group:
            thread.target = objects.get(thread.target_id)


@dataclass
class Markers:
    """Where the matrix shows a comment marker: cell (evidence, hypothesis), evidence row, hypothesis column.

    Each maps to True while one of its threads is unresolved.
    """

    cells: dict[tuple[int, int], bool] = field(default_factory=dict)
    rows: dict[int, bool] = field(default_factory=dict)
    columns: dict[int, bool] = field(default_factory=dict)


def markers_for(*, assessment_id: int, evidence_id: int | None = None) -> Markers:
    """Every thread's place in one query (the matrix page's one extra); with ``evidence_id``, only that
    row's cell and row threads (a rated row answered alone)."""
    markers = Markers()
    threads = Thread.objects.filter(
        assessment_id=assessment_id, kind__in=[Thread.Kind.CELL, Thread.Kind.EVIDENCE, Thread.Kind.HYPOTHESIS]
    )
    if evidence_id is not None:
        threads = threads.filter(kind__in=[Thread.Kind.CELL, Thread.Kind.EVIDENCE], evidence_id=evidence_id)
    for kind, row_id, hypothesis_id, resolved_at in threads.values_list(
        "kind", "evidence_id", "hypothesis_id", "resolved_at"
    ):
        open_ = resolved_at is None
        if kind == Thread.Kind.CELL:
            markers.cells[(row_id, hypothesis_id)] = markers.cells.get((row_id, hypothesis_id), False) or open_
        elif kind == Thread.Kind.EVIDENCE:
            markers.rows[row_id] = markers.rows.get(row_id, False) or open_
        else:
            markers.columns[hypothesis_id] = markers.columns.get(hypothesis_id, False) or open_
    return markers

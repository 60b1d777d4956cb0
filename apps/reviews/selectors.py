"""What the supervisor's review board and the assessment report read: every registered technique's
surface (apps.assessments.techniques), each given the viewer's view, read-only."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from apps.accounts.models import Membership
from apps.assessments.models import Activity, Assessment, ScoreSnapshot
from apps.assessments.selectors import snapshot_latest
from apps.assessments.techniques import SectionContext, surface_parts
from apps.assessments.visibility import View, results_for, view_for
from apps.comments.selectors import ThreadList, threads_for

from .models import ReviewMark

REVIEW_ACTIONS = ("submit", "approve", "return", "reopen")
HISTORY_LIMIT = 50


def approval_record(*, assessment: Assessment) -> list[Activity]:
    """Every review step (submitted, approved, returned, reopened): who and when, oldest first."""
    return list(
        Activity.objects.filter(assessment=assessment, kind=Activity.Kind.REVIEW, data__action__in=REVIEW_ACTIONS)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def _parts(
    surface: str,
    *,
    assessment: Assessment,
    user: User,
    view: View,
    snapshot: ScoreSnapshot | None,
    since: datetime | None,
) -> dict[str, list[dict]]:
    """Every technique's parts of the surface, each computed from the view's results (never the raw
    snapshot's, which may carry teammates' judgments the viewer may not see yet)."""
    results = results_for(view=view, snapshot=snapshot, assessment=assessment) if snapshot else {}
    return surface_parts(
        surface,
        lambda name: SectionContext(
            assessment=assessment,
            view=view,
            user=user,
            snapshot=snapshot,
            results=results.get(name) or {},
            since=since,
        ),
    )


@dataclass
class Review:
    assessment: Assessment
    mark: ReviewMark | None
    # Each technique's parts by place ("wide", "left", "right"): {"technique", "template", "section"}.
    parts: dict[str, list[dict]]
    threads: ThreadList
    snapshot: ScoreSnapshot | None
    snapshots: list[ScoreSnapshot] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        sections = {id(part["section"]): part["section"] for parts in self.parts.values() for part in parts}
        return sum(section.get("changed", 0) for section in sections.values()) + sum(
            t.changed for t in self.threads.threads
        )


def review_get(*, assessment: Assessment, user: User, membership: Membership) -> Review:
    """Everything the review board shows, in a fixed number of queries; changes since the user's last visit
    (their ReviewMark) are flagged with `changed`."""
    mark = ReviewMark.objects.filter(assessment=assessment, user=user).first()
    since = mark.seen_at if mark else None
    view = view_for(assessment=assessment, user=user, role=membership.role)
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    parts = _parts("review_board", assessment=assessment, user=user, view=view, snapshot=snapshot, since=since)
    threads = threads_for(assessment=assessment, user=user, membership=membership, unresolved_only=True)
    for thread in threads.threads:
        thread.changed = since is not None and thread.updated_at > since
    snapshots = list(ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version")[:HISTORY_LIMIT])[::-1]
    return Review(
        assessment=assessment, mark=mark, parts=parts, threads=threads, snapshot=snapshot, snapshots=snapshots
    )


@dataclass
class Report:
    assessment: Assessment
    marking: Any
    snapshot: ScoreSnapshot | None
    approvals: list[Activity]
    # Each technique's parts of the report's one column, in order.
    parts: list[dict]

    @property
    def approved(self) -> Activity | None:
        """The approval in force: the last review step, when it is an approval."""
        return self.approvals[-1] if self.approvals and self.approvals[-1].data.get("action") == "approve" else None


def report_get(*, assessment: Assessment, user: User, membership: Membership) -> Report:
    """The report as the user may read it: an analyst's from her view (apps.assessments.visibility)."""
    view = view_for(assessment=assessment, user=user, role=membership.role)
    snapshot = snapshot_latest(assessment_id=assessment.pk)
    parts = _parts("report", assessment=assessment, user=user, view=view, snapshot=snapshot, since=None)
    return Report(
        assessment=assessment,
        marking=assessment.marking,
        snapshot=snapshot,
        approvals=approval_record(assessment=assessment),
        parts=[part for place_parts in parts.values() for part in place_parts],
    )

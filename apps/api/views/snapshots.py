from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.assessments.api.base import AssessmentScoped
from apps.assessments.models import Assessment, ScoreSnapshot
from apps.assessments.selectors import snapshot_latest, snapshot_latest_version
from apps.assessments.techniques import TECHNIQUES
from apps.assessments.visibility import View, alerts_shown, snapshot_shown, trigger_shown, view_for

from ..serializers import SnapshotSerializer, SnapshotSummarySerializer


def _represent(results: dict, view: View, *, full: bool) -> dict:
    """Each technique's part of a snapshot (apps.assessments.techniques.ApiSection): its own fields, or its
    results under `techniques` (full snapshots only)."""
    shown: dict = {"techniques": {}} if full else {}
    for name, technique in TECHNIQUES.items():
        section = technique.api
        if section is not None and section.snapshot_fields is not None:
            shown.update(section.snapshot(results.get(name, {}), view, full))
        elif full and name in results:
            shown["techniques"][name] = results[name]
    return shown


def _summary(snapshot: ScoreSnapshot, view: View, *, latest: bool, assessment: Assessment, full: bool = False) -> dict:
    """A snapshot as the caller may see it (apps.assessments.visibility): of one that hides rows, only the
    latest snapshot's figures, computed from their view; earlier ones without figures."""
    results = snapshot_shown(view=view, snapshot=snapshot, latest=latest, assessment=assessment)
    return {
        "version": snapshot.version,
        "created_at": snapshot.created_at,
        "trigger": trigger_shown(view=view, trigger=snapshot.trigger),
        "trigger_evidence": snapshot.trigger_evidence,
        "alerts": alerts_shown(view=view, alerts=snapshot.alerts),
        **_represent(results, view, full=full),
    }


def _full(snapshot: ScoreSnapshot, assessment: Assessment, view: View, *, latest: bool) -> dict:
    content_version = Assessment.objects.values_list("content_version", flat=True).get(pk=assessment.pk)
    return {
        **_summary(snapshot, view, latest=latest, assessment=assessment, full=True),
        "content_version": content_version,
        "pending": snapshot.version < content_version,
    }


class SnapshotViewSet(AssessmentScoped, mixins.ListModelMixin):
    """Score snapshots: the history (newest first), one version, or the latest."""

    queryset = ScoreSnapshot.objects.none()
    serializer_class = SnapshotSummarySerializer
    lookup_field = "version"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return ScoreSnapshot.objects.filter(assessment=self.assessment).order_by("-version")

    def list(self, request, assessment_pk: int):
        page = self.paginate_queryset(self.get_queryset())
        view = view_for(assessment=self.assessment, user=request.user)
        latest = snapshot_latest_version(assessment_id=self.assessment.pk)
        summaries = [_summary(s, view, latest=s.version == latest, assessment=self.assessment) for s in page]
        return self.get_paginated_response(SnapshotSummarySerializer(summaries, many=True).data)

    @extend_schema(responses=SnapshotSerializer)
    def retrieve(self, request, assessment_pk: int, version: str):
        snapshot = self.get_queryset().filter(version=int(version)).first()
        if snapshot is None:
            raise NotFound("No snapshot with that version.")
        view = view_for(assessment=self.assessment, user=request.user)
        latest = snapshot.version == snapshot_latest_version(assessment_id=self.assessment.pk)
        return Response(SnapshotSerializer(_full(snapshot, self.assessment, view, latest=latest)).data)

    @extend_schema(responses=SnapshotSerializer)
    @action(detail=False)
    def latest(self, request, assessment_pk: int):
        """The latest scores: team and per-analyst, the version they scored and `pending` while newer changes wait."""
        snapshot = snapshot_latest(assessment_id=self.assessment.pk)
        if snapshot is None:
            raise NotFound("No score snapshot yet: the first rescoring is pending.")
        view = view_for(assessment=self.assessment, user=request.user)
        return Response(SnapshotSerializer(_full(snapshot, self.assessment, view, latest=True)).data)

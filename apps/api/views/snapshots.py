from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from apps.ach.models import VALUE_TO_LABEL, Rating
from apps.ach.results import scores_of
from apps.ach.scoring import RATING_LABELS
from apps.ach.selectors import matrix_get
from apps.ach.services import ratings_set_many
from apps.assessments.models import Assessment, ScoreSnapshot
from apps.assessments.selectors import snapshot_latest, snapshot_latest_version
from apps.assessments.visibility import View, alerts_shown, snapshot_shown, trigger_shown, view_for

from ..serializers import (
    RatingReadSerializer,
    RatingsSetResultSerializer,
    RatingsSetSerializer,
    SnapshotSerializer,
    SnapshotSummarySerializer,
    TeamRowSerializer,
)
from .assessments import row_errors
from .base import AssessmentScoped


class RatingViewSet(AssessmentScoped):
    """Your own ratings; the team's only as the matrix page shows them."""

    queryset = Rating.objects.none()
    serializer_class = RatingReadSerializer
    pagination_class = None

    def _mine(self) -> list[dict]:
        ratings = Rating.objects.filter(assessment=self.assessment, analyst=self.request.user).select_related(
            "evidence", "hypothesis"
        )
        return [
            {
                "evidence": r.evidence.key,
                "hypothesis": r.hypothesis.key,
                "value": VALUE_TO_LABEL[r.value],
                "note": r.note,
                "rated_at": r.rated_at,
            }
            for r in ratings.order_by("evidence__order", "evidence_id", "hypothesis__order", "hypothesis_id")
        ]

    @extend_schema(responses=RatingReadSerializer(many=True))
    def list(self, request, assessment_pk: int):
        return Response(RatingReadSerializer(self._mine(), many=True).data)

    @extend_schema(request=RatingsSetSerializer, responses={200: RatingsSetResultSerializer})
    def create(self, request, assessment_pk: int):
        """Set many of your cells at once, all or none ("" clears a cell). Answers the cells it set, as they
        now stand, and the assessment's new content version (200: cells are set, not created)."""
        serializer = RatingsSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["ratings"]
        try:
            ratings_set_many(assessment=self.assessment, analyst=request.user, items=items)
        except DjangoValidationError as exc:
            errors = row_errors(exc, len(items))
            raise ValidationError({"ratings": errors.pop("items", {}), **errors}) from exc
        cells = list(dict.fromkeys((item["evidence"], item["hypothesis"]) for item in items))
        version = Assessment.objects.values_list("content_version", flat=True).get(pk=self.assessment.pk)
        return Response(
            RatingsSetResultSerializer({"ratings": self._cells(cells), "content_version": version}).data,
            status=status.HTTP_200_OK,
        )

    def _cells(self, cells: Sequence[tuple[str, str]]) -> Sequence[dict]:
        """The caller's cells by (evidence key, hypothesis key), in that order; a cleared cell has value ""."""
        ratings = Rating.objects.filter(
            assessment=self.assessment,
            analyst=self.request.user,
            evidence__key__in={e for e, _ in cells},
            hypothesis__key__in={h for _, h in cells},
        ).select_related("evidence", "hypothesis")
        found = {(r.evidence.key, r.hypothesis.key): r for r in ratings}
        answer = []
        for evidence, hypothesis in cells:
            rating = found.get((evidence, hypothesis))
            answer.append(
                {
                    "evidence": evidence,
                    "hypothesis": hypothesis,
                    "value": VALUE_TO_LABEL[rating.value] if rating else "",
                    "note": rating.note if rating else "",
                    "rated_at": rating.rated_at if rating else None,
                }
            )
        return answer

    @extend_schema(responses=TeamRowSerializer(many=True))
    @action(detail=False)
    def team(self, request, assessment_pk: int):
        """The team's consensus per row. Anchoring, as on the matrix page: an analyst sees a row only after
        rating every cell of it; supervisors see every row and each analyst's ratings."""
        matrix = matrix_get(assessment=self.assessment)
        scores = scores_of(matrix)
        hkeys = [h.key for h in matrix.hypotheses]
        n_hyp = len(hkeys)
        view = view_for(assessment=self.assessment, user=request.user)
        supervisor = view.sees_all
        hidden = view.hidden.get("ach", frozenset())
        # A row's consensus is that row's alone: shown once the policy reveals the row.
        revealed = [evidence.pk not in hidden for evidence in matrix.evidence]
        rows = []
        for i, evidence in enumerate(matrix.evidence):
            row = {"evidence": evidence.key, "revealed": bool(revealed[i]), "consensus": None, "analysts": None}
            if revealed[i]:
                row["consensus"] = {hkeys[j]: RATING_LABELS[scores.consensus[i, j]] or None for j in range(n_hyp)}
            if supervisor:
                row["analysts"] = {
                    analyst.username: {
                        hkeys[j]: RATING_LABELS[matrix.ratings[a, i, j]]
                        for j in range(n_hyp)
                        if matrix.ratings[a, i, j]
                    }
                    for a, analyst in enumerate(matrix.analysts)
                }
            rows.append(row)
        return Response(TeamRowSerializer(rows, many=True).data)


def _summary(snapshot: ScoreSnapshot, view: View, *, latest: bool, assessment: Assessment) -> dict:
    """A snapshot as the caller may see it (apps.assessments.visibility): of one that hides rows, only the
    latest snapshot's figures, computed from their view; earlier ones without figures."""
    results = snapshot_shown(view=view, snapshot=snapshot, latest=latest, assessment=assessment)
    ach = results.get("ach", {})
    return {
        "version": snapshot.version,
        "created_at": snapshot.created_at,
        "trigger": trigger_shown(view=view, trigger=snapshot.trigger),
        "trigger_evidence": snapshot.trigger_evidence,
        "ranking": ach.get("ranking", []),
        "leader_by_inconsistency": ach.get("leader_by_inconsistency"),
        "leader_by_posterior": ach.get("leader_by_posterior"),
        "alerts": alerts_shown(view=view, alerts=snapshot.alerts),
        "view": view.notice("ach") or None,
    }


def _full(snapshot: ScoreSnapshot, assessment: Assessment, view: View, *, latest: bool) -> dict:
    results = snapshot_shown(view=view, snapshot=snapshot, latest=latest, assessment=assessment)
    ach = results.get("ach", {})
    content_version = Assessment.objects.values_list("content_version", flat=True).get(pk=assessment.pk)
    return {
        **_summary(snapshot, view, latest=latest, assessment=assessment),
        "content_version": content_version,
        "pending": snapshot.version < content_version,
        "team": ach.get("team", {}),
        "analysts": ach.get("analysts", {}),
        "linchpins": ach.get("linchpins", {}),
        "sensitivity": ach.get("sensitivity"),
        "techniques": {name: value for name, value in results.items() if name != "ach"},
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

"""ACH in the REST API (registered through apps.assessments.techniques): your ratings, the team's rows as
the anchoring rule lets you see them, and ACH's figures on every score snapshot."""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.assessments.api.base import AssessmentScoped, row_errors
from apps.assessments.api.fields import NoUnknownFields, StrictCharField, StrictChoiceField
from apps.assessments.models import Assessment
from apps.assessments.visibility import View, view_for

from .models import LABEL_TO_VALUE, VALUE_TO_LABEL, Rating
from .results import scores_of
from .scoring import RATING_LABELS
from .selectors import matrix_get
from .services import ratings_set_many

INPUT_LABELS = ["", *LABEL_TO_VALUE]


class RatingSerializer(NoUnknownFields, serializers.Serializer):
    evidence = StrictCharField(max_length=20, help_text="Evidence key (E1 …).")
    hypothesis = StrictCharField(max_length=20, help_text="Hypothesis key (H1 …).")
    value = StrictChoiceField(choices=INPUT_LABELS, help_text='CC, C, N, I, II, NA; "" clears the cell.')
    note = StrictCharField(max_length=500, required=False, allow_blank=True, allow_null=True)


class RatingReadSerializer(serializers.Serializer):
    evidence = serializers.CharField()
    hypothesis = serializers.CharField()
    value = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    rated_at = serializers.DateTimeField(allow_null=True, help_text="Empty for a cell just cleared.")


class RatingsSetSerializer(NoUnknownFields, serializers.Serializer):
    ratings = serializers.ListField(child=RatingSerializer(), min_length=1, max_length=settings.API_MAX_BATCH * 50)


class RatingsSetResultSerializer(serializers.Serializer):
    ratings = RatingReadSerializer(many=True, help_text="The cells this request set, as they now stand.")
    content_version = serializers.IntegerField(help_text="Scores are current once a snapshot has this version.")


class TeamRowSerializer(serializers.Serializer):
    evidence = serializers.CharField()
    revealed = serializers.BooleanField(help_text="False until you have rated every cell of the row (anchoring).")
    consensus = serializers.DictField(child=serializers.CharField(allow_null=True), allow_null=True)
    analysts = serializers.DictField(child=serializers.DictField(child=serializers.CharField()), allow_null=True)


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


def snapshot_fields() -> dict[str, serializers.Field]:
    """ACH's figures on every snapshot, the list's summaries included."""
    return {
        "ranking": serializers.ListField(child=serializers.CharField()),
        "leader_by_inconsistency": serializers.CharField(allow_null=True),
        "leader_by_posterior": serializers.CharField(allow_null=True),
        "view": serializers.CharField(
            allow_null=True,
            help_text="Set when the figures are the caller's view: over the rows they have rated, the rest hidden "
            "until they rate them (earlier snapshots then carry no figures).",
        ),
    }


def detail_fields() -> dict[str, serializers.Field]:
    """ACH's figures on the full snapshot."""
    return {
        "team": serializers.DictField(child=serializers.DictField(child=serializers.FloatField())),
        "analysts": serializers.DictField(
            child=serializers.DictField(child=serializers.DictField(child=serializers.FloatField())),
            help_text="Each analyst's scores, by username.",
        ),
        "linchpins": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        "sensitivity": serializers.JSONField(allow_null=True, help_text="Sensitivity results, when computed."),
        "sources": serializers.DictField(
            child=serializers.JSONField(),
            help_text="By source key: its items, and the team's leader and posterior without them and with their "
            "ratings reversed (CC↔II, C↔I: what if this source lies?). The posterior names the leader of the run "
            "and the current leader.",
        ),
    }


def snapshot_represent(results: dict, view: View, full: bool) -> dict:
    """ACH's part of a snapshot from its results as the view may see them (apps.assessments.visibility)."""
    shown = {
        "ranking": results.get("ranking", []),
        "leader_by_inconsistency": results.get("leader_by_inconsistency"),
        "leader_by_posterior": results.get("leader_by_posterior"),
        "view": view.notice("ach") or None,
    }
    if full:
        shown.update(
            team=results.get("team", {}),
            analysts=results.get("analysts", {}),
            linchpins=results.get("linchpins", {}),
            sensitivity=results.get("sensitivity"),
            sources=results.get("sources", {}),
        )
    return shown

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.ach.models import LABEL_TO_VALUE
from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.indicators.models import Indicator, Observation
from apps.key_assumptions.models import Assumption

from .fields import NoUnknownFields, StrictCharField, StrictChoiceField, StrictIntegerField, StrictModelSerializer

EVIDENCE_INPUT_FIELDS = ["summary", "source", "citation", "date", "type", "credibility", "relevance", "origin"]
RATING_LABELS = ["", *LABEL_TO_VALUE]


class AssessmentSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.name")
    role = serializers.SerializerMethodField(help_text="Your role in the assessment's team.")
    marking = serializers.CharField(
        source="marking.name",
        default=None,
        allow_null=True,
        help_text="The handling marking; every answer about a marked assessment also carries it in the "
        "Handling-Marking header.",
    )

    class Meta:
        model = Assessment
        fields = ["id", "title", "question", "description", "status", "marking", "team", "role", "content_version",
                  "created_at", "updated_at"]  # fmt: skip

    def get_role(self, assessment) -> str | None:
        return self.context.get("roles", {}).get(assessment.team_id)


class AssessmentInputSerializer(StrictModelSerializer):
    team = StrictCharField(
        required=False,
        max_length=100,
        help_text="The team's name; may be left out when you edit in one team only.",
    )

    class Meta:
        model = Assessment
        fields = ["title", "question", "description", "team"]
        extra_kwargs = {"description": {"max_length": settings.API_MAX_TEXT}}


class HypothesisInputSerializer(StrictModelSerializer):
    class Meta:
        model = Hypothesis
        fields = ["statement"]


class HypothesisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hypothesis
        fields = ["key", "statement", "order", "prior", "version", "created_at", "updated_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = serializers.CharField(source="added_by.username", default=None, allow_null=True)

    class Meta:
        model = Evidence
        fields = ["key", *EVIDENCE_INPUT_FIELDS, "order", "added_by", "added_at", "updated_at", "added_in_version",
                  "version"]  # fmt: skip


class EvidenceInputSerializer(StrictModelSerializer):
    class Meta:
        model = Evidence
        fields = EVIDENCE_INPUT_FIELDS
        extra_kwargs = {"summary": {"max_length": settings.API_MAX_TEXT}}

    def validate_summary(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Write a summary of the item.")
        return value


class EvidenceBatchSerializer(NoUnknownFields, serializers.Serializer):
    # A ListField (not many=True) so the schema states the bounds as minItems and maxItems.
    items = serializers.ListField(child=EvidenceInputSerializer(), min_length=1, max_length=settings.API_MAX_BATCH)


class EvidenceBatchResultSerializer(serializers.Serializer):
    items = EvidenceSerializer(many=True)
    content_version = serializers.IntegerField(help_text="Scores are current once a snapshot has this version.")


class EvidenceUpdateSerializer(EvidenceInputSerializer):
    """The fields to change (any of them) and, always, the version you read."""

    version = StrictIntegerField(
        min_value=1,
        help_text="The version you read; a stale one is answered 409.",
        error_messages={"required": "Send the version of the item you edited."},
    )

    class Meta(EvidenceInputSerializer.Meta):
        fields = [*EVIDENCE_INPUT_FIELDS, "version"]
        extra_kwargs = {
            **EvidenceInputSerializer.Meta.extra_kwargs,
            **{name: {"required": False} for name in EVIDENCE_INPUT_FIELDS},
            "summary": {"required": False, "max_length": settings.API_MAX_TEXT},
        }


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = EvidenceSerializer()


class EvidenceFilterSerializer(serializers.Serializer):
    date_after = serializers.DateField(required=False, help_text="Events on or after this date.")
    date_before = serializers.DateField(required=False, help_text="Events on or before this date.")
    source = serializers.CharField(
        required=False, min_length=1, max_length=300, help_text="Source contains (case-insensitive)."
    )
    origin = serializers.CharField(
        required=False,
        min_length=1,
        max_length=200,
        help_text="Origin, compared as scoring does: case and spacing ignored.",
    )

    def to_internal_value(self, data):
        # DRF reads an empty query parameter as absent; the schema calls it invalid, and so do we.
        blank = {name: ["Give a value or leave the parameter out."] for name in self.fields if data.get(name) == ""}
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("date_after") and attrs.get("date_before") and attrs["date_after"] > attrs["date_before"]:
            raise serializers.ValidationError({"date_before": ["Must not be before date_after."]})
        return attrs


class RatingSerializer(NoUnknownFields, serializers.Serializer):
    evidence = StrictCharField(max_length=20, help_text="Evidence key (E1 …).")
    hypothesis = StrictCharField(max_length=20, help_text="Hypothesis key (H1 …).")
    value = StrictChoiceField(choices=RATING_LABELS, help_text='CC, C, N, I, II, NA; "" clears the cell.')
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


class SnapshotSummarySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    trigger = serializers.CharField(allow_blank=True)
    trigger_evidence = serializers.ListField(child=serializers.CharField())
    ranking = serializers.ListField(child=serializers.CharField())
    leader_by_inconsistency = serializers.CharField(allow_null=True)
    leader_by_posterior = serializers.CharField(allow_null=True)
    alerts = serializers.ListField(child=serializers.DictField())
    view = serializers.CharField(
        allow_null=True,
        help_text="Set when the figures are the caller's view: over the rows they have rated, the rest hidden "
        "until they rate them (earlier snapshots then carry no figures).",
    )


class SnapshotSerializer(SnapshotSummarySerializer):
    content_version = serializers.IntegerField(help_text="The assessment's current version.")
    pending = serializers.BooleanField(help_text="True while a newer version awaits rescoring.")
    team = serializers.DictField(child=serializers.DictField(child=serializers.FloatField()))
    analysts = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField(child=serializers.FloatField())),
        help_text="Each analyst's scores, by username.",
    )
    linchpins = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    sensitivity = serializers.JSONField(allow_null=True, help_text="Sensitivity results, when computed.")
    techniques = serializers.DictField(help_text="The other techniques' results (key_assumptions, indicators).")


class AssumptionSerializer(serializers.ModelSerializer):
    supports = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Assumption
        fields = ["key", "statement", "rationale", "citation", "supports", "analytic_line", "could_be_untrue",
                  "less_true_now", "confidence", "impact", "status", "needs_recheck", "recheck_reason",
                  "created_at", "updated_at"]  # fmt: skip


class ObservationSerializer(serializers.ModelSerializer):
    analyst = serializers.CharField(source="analyst.username", default=None, allow_null=True)
    evidence = serializers.CharField(source="evidence.key", default=None, allow_null=True)

    class Meta:
        model = Observation
        fields = ["date", "status", "source", "note", "analyst", "evidence", "created_at"]


class ObservationInputSerializer(StrictModelSerializer):
    evidence = StrictCharField(required=False, max_length=20, help_text="Key of a linked evidence item.")
    date = serializers.DateField(required=False, help_text="Defaults to today; never in the future.")

    class Meta:
        model = Observation
        fields = ["date", "status", "source", "note", "evidence"]
        extra_kwargs = {"note": {"max_length": settings.API_MAX_TEXT}}


class IndicatorSerializer(serializers.ModelSerializer):
    current_status = serializers.SerializerMethodField()
    observations = ObservationSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["key", "statement", "category", "collection", "citation", "review_cadence_days", "threshold",
                  "reviewed_on", "current_status", "observations"]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_current_status(self, indicator) -> str | None:
        observations = list(indicator.observations.all())
        return max(observations, key=lambda o: (o.date, o.pk)).status if observations else None

from django.conf import settings
from rest_framework import serializers

from apps.assessments.api.fields import (
    ONE_LINE,
    NoUnknownFields,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)
from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.assessments.services import EVIDENCE_FIELDS, HYPOTHESIS_FIELDS
from apps.assessments.techniques import TECHNIQUES

# The fields every door exchanges, the services' lists (the forms and the file's import and export use them too).
EVIDENCE_INPUT_FIELDS = list(EVIDENCE_FIELDS)


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
        fields = ["id", "title", "question", "description", "status", "marking", "as_of", "team", "role",
                  "content_version", "created_at", "updated_at"]  # fmt: skip

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
        fields = ["title", "question", "description", "as_of", "team"]
        extra_kwargs = {
            "description": {"max_length": settings.API_MAX_TEXT},
            "as_of": {
                "help_text": "The day the assessment is judged as of (YYYY-MM-DD, today or earlier); "
                "left out or null: the day it is read."
            },
        }


class HypothesisInputSerializer(StrictModelSerializer):
    class Meta:
        model = Hypothesis
        fields = ["statement"]


class HypothesisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hypothesis
        fields = ["key", *HYPOTHESIS_FIELDS, "order", "version", "created_at", "updated_at"]


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


def _technique_fields(detail: bool) -> dict[str, serializers.Field]:
    """The fields techniques put on snapshots (apps.assessments.techniques.ApiSection), in registration order."""
    fields: dict[str, serializers.Field] = {}
    for technique in TECHNIQUES.values():
        section = technique.api
        factory = section and (section.detail_fields if detail else section.snapshot_fields)
        if factory is not None:
            fields.update(factory())
    return fields


class SnapshotSummaryBase(serializers.Serializer):
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    trigger = serializers.CharField(allow_blank=True)
    trigger_evidence = serializers.ListField(child=serializers.CharField())
    alerts = serializers.ListField(child=serializers.DictField())


# Built from the registry when the URLconf is first imported, after every technique registered itself.
SnapshotSummarySerializer = type(
    "SnapshotSummarySerializer", (SnapshotSummaryBase,), {"__module__": __name__, **_technique_fields(detail=False)}
)


class SnapshotBase(SnapshotSummarySerializer):  # type: ignore[valid-type,misc]
    content_version = serializers.IntegerField(help_text="The assessment's current version.")
    pending = serializers.BooleanField(help_text="True while a newer version awaits rescoring.")
    techniques = serializers.DictField(
        help_text="The results of each technique that puts no fields of its own on snapshots, by technique name "
        "(key_assumptions, indicators …)."
    )


SnapshotSerializer = type(
    "SnapshotSerializer", (SnapshotBase,), {"__module__": __name__, **_technique_fields(detail=True)}
)


class DuplicateMarkInputSerializer(NoUnknownFields, serializers.Serializer):
    of = StrictCharField(help_text="The key of the item this one duplicates (E2, H3).")
    note = StrictCharField(
        required=False, allow_blank=True, max_length=300, validators=[ONE_LINE], help_text="Why, in one line."
    )


class DuplicateMarkSerializer(serializers.Serializer):
    key = serializers.CharField(source="item.key", help_text="The item marked a duplicate.")
    of = serializers.CharField(source="of.key", help_text="The item it duplicates: the one a merge keeps.")
    note = serializers.CharField()
    marked_by = serializers.CharField(source="marked_by.username", default=None, allow_null=True)
    marked_at = serializers.DateTimeField()


class MergeInputSerializer(NoUnknownFields, serializers.Serializer):
    """Merge this item (the duplicate) into `into`, which remains; both versions as you read them."""

    into = StrictCharField(help_text="The key of the item that remains.")
    version = StrictIntegerField(min_value=1, help_text="The version of this item you read; stale: 409.")
    into_version = StrictIntegerField(min_value=1, help_text="The version of `into` you read; stale: 409.")


class MergeConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    key = serializers.CharField(help_text="The item that changed since you read it.")
    version = serializers.IntegerField(help_text="Its version now.")

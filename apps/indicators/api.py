"""Indicators in the REST API (registered through apps.assessments.techniques)."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.assessments.api.base import AssessmentScoped, validation_detail
from apps.assessments.api.fields import StrictCharField, StrictModelSerializer
from apps.assessments.models import Evidence

from .models import Indicator, Observation
from .services import INDICATOR_FIELDS, OBSERVATION_FIELDS, observation_add


class ObservationSerializer(serializers.ModelSerializer):
    analyst = serializers.CharField(source="analyst.username", default=None, allow_null=True)
    evidence = serializers.CharField(source="evidence.key", default=None, allow_null=True)

    class Meta:
        model = Observation
        fields = [*OBSERVATION_FIELDS, "analyst", "created_at"]


class ObservationInputSerializer(StrictModelSerializer):
    evidence = StrictCharField(required=False, max_length=20, help_text="Key of a linked evidence item.")
    date = serializers.DateField(required=False, help_text="Defaults to today; never in the future.")

    class Meta:
        model = Observation
        fields = list(OBSERVATION_FIELDS)
        extra_kwargs = {"note": {"max_length": settings.API_MAX_TEXT}}


class IndicatorSerializer(serializers.ModelSerializer):
    current_status = serializers.SerializerMethodField()
    observations = ObservationSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["key", *INDICATOR_FIELDS, "reviewed_on", "current_status", "observations"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_current_status(self, indicator) -> str | None:
        observations = list(indicator.observations.all())
        return max(observations, key=lambda o: (o.date, o.pk)).status if observations else None


class IndicatorViewSet(AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.none()
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self):
        observations = Observation.objects.select_related("analyst", "evidence")
        return Indicator.objects.filter(assessment=self.assessment).prefetch_related(
            Prefetch("observations", queryset=observations)
        )

    @extend_schema(request=ObservationInputSerializer, responses={201: ObservationSerializer})
    @action(detail=True, methods=["post"])
    def observations(self, request, assessment_pk: int, key: str):
        """Record a dated, sourced status reading of the indicator (rescoring follows, as on the page)."""
        indicator = self.get_object()
        serializer = ObservationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence_id = None
        if data.get("evidence"):
            evidence_id = (
                Evidence.objects.filter(assessment=self.assessment, key=data["evidence"])
                .values_list("pk", flat=True)
                .first()
            )
            if evidence_id is None:
                raise ValidationError({"evidence": [f"No evidence with key {data['evidence']}."]})
        try:
            observation = observation_add(
                indicator=indicator,
                user=request.user,
                status=data["status"],
                source=data["source"],
                on=data.get("date"),
                note=data.get("note", ""),
                evidence_id=evidence_id,
            )
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from exc
        return Response(ObservationSerializer(observation).data, status=status.HTTP_201_CREATED)

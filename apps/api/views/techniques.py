from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.assessments.models import Evidence
from apps.indicators.models import Indicator, Observation
from apps.indicators.services import observation_add
from apps.key_assumptions.models import Assumption

from ..access import validation_detail
from ..serializers import AssumptionSerializer, IndicatorSerializer, ObservationInputSerializer, ObservationSerializer
from .base import AssessmentScoped


class AssumptionViewSet(AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = AssumptionSerializer
    queryset = Assumption.objects.none()
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self):
        return Assumption.objects.filter(assessment=self.assessment).prefetch_related("supports")


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

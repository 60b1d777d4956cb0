from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.assessments.api.base import (
    AssessmentScoped,
    assessment_for_api,
    marking_header,
    row_errors,
    validation_detail,
)
from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.assessments.origins import origin_key
from apps.assessments.services import (
    VersionConflict,
    assessment_create,
    evidence_add,
    evidence_update,
    hypothesis_create,
)

from ..serializers import (
    AssessmentInputSerializer,
    AssessmentSerializer,
    EvidenceBatchResultSerializer,
    EvidenceBatchSerializer,
    EvidenceFilterSerializer,
    EvidenceInputSerializer,
    EvidenceSerializer,
    EvidenceUpdateSerializer,
    HypothesisInputSerializer,
    HypothesisSerializer,
    VersionConflictSerializer,
)


class AssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your teams' assessments; a new one is created in a team where you edit."""

    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Assessment.objects.filter(team__memberships__user=self.request.user).select_related("team", "marking")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["roles"] = dict(self.request.user.memberships.values_list("team_id", "role"))
        return context

    def retrieve(self, request, pk: int):
        assessment = assessment_for_api(request, pk)
        return marking_header(Response(self.get_serializer(assessment).data), assessment)

    @extend_schema(request=AssessmentInputSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        """A new draft assessment in one of your teams, as the New assessment page makes it (analysts and team
        admins)."""
        serializer = AssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = self._team(data.pop("team", None))
        assessment = assessment_create(team=team, user=request.user, **data)
        assessment = Assessment.objects.select_related("team", "marking").get(pk=assessment.pk)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    def _team(self, name: str | None):
        memberships = [m for m in self.request.user.memberships.select_related("team") if m.can_edit]
        if name is not None:
            memberships = [m for m in memberships if m.team.name == name]
        if not memberships:
            if name is None and not self.request.user.memberships.exists():
                raise PermissionDenied("You are in no team.")
            raise PermissionDenied("You cannot edit in that team: only analysts and team admins create assessments.")
        if len(memberships) > 1:
            raise ValidationError({"team": ["You edit in several teams: name one."]})
        return memberships[0].team


class HypothesisViewSet(AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The hypotheses in order; analysts and team admins add new ones."""

    serializer_class = HypothesisSerializer
    queryset = Hypothesis.objects.none()
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self):
        return Hypothesis.objects.filter(assessment=self.assessment)

    @extend_schema(request=HypothesisInputSerializer, responses={201: HypothesisSerializer})
    def create(self, request, assessment_pk: int):
        """Add a hypothesis, as the matrix page does (its key is the next free H number)."""
        serializer = HypothesisInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hypothesis = hypothesis_create(
                assessment=self.assessment, user=request.user, statement=serializer.validated_data["statement"]
            )
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from exc
        return Response(HypothesisSerializer(hypothesis).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[EvidenceFilterSerializer]))
class EvidenceViewSet(AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = EvidenceSerializer
    queryset = Evidence.objects.none()
    lookup_field = "key"

    def get_queryset(self):
        queryset = Evidence.objects.filter(assessment=self.assessment).select_related("added_by")
        if self.action != "list":
            return queryset
        filters = EvidenceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        if "date_after" in wanted:
            queryset = queryset.filter(date__gte=wanted["date_after"])
        if "date_before" in wanted:
            queryset = queryset.filter(date__lte=wanted["date_before"])
        if wanted.get("source"):
            queryset = queryset.filter(source__icontains=wanted["source"])
        if wanted.get("origin"):
            # The scoring rule's comparison (case and runs of spaces ignored) has no portable SQL form;
            # one assessment's origins are few enough to compare here.
            key = origin_key(wanted["origin"])
            same = [pk for pk, origin in queryset.values_list("pk", "origin") if origin_key(origin) == key]
            queryset = queryset.filter(pk__in=same)
        return queryset

    def _add(self, items: list[dict]) -> list[Evidence]:
        try:
            return evidence_add(assessment=self.assessment, user=self.request.user, items=items, via="api")
        except DjangoValidationError as exc:
            raise ValidationError(row_errors(exc, len(items))) from exc

    @extend_schema(request=EvidenceInputSerializer, responses={201: EvidenceSerializer})
    def create(self, request, assessment_pk: int):
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        [evidence] = self._add([serializer.validated_data])
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceBatchSerializer, responses={201: EvidenceBatchResultSerializer})
    @action(detail=False, methods=["post"])
    def batch(self, request, assessment_pk: int):
        """All items or none: one invalid item rejects the batch, with errors listed per item."""
        serializer = EvidenceBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self._add(serializer.validated_data["items"])
        version = Assessment.objects.values_list("content_version", flat=True).get(pk=self.assessment.pk)
        return Response(
            {"items": EvidenceSerializer(created, many=True).data, "content_version": version},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=EvidenceUpdateSerializer, responses={200: EvidenceSerializer, 409: VersionConflictSerializer}
    )
    def partial_update(self, request, assessment_pk: int, key: str):
        """Change some fields, sending the version you read; a stale version is answered 409 with the current item."""
        evidence = self.get_object()
        serializer = EvidenceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        expected = fields.pop("version")
        try:
            evidence = evidence_update(evidence=evidence, user=request.user, expected_version=expected, **fields)
        except VersionConflict as exc:
            return Response(
                {"detail": " ".join(exc.messages), "current": EvidenceSerializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(EvidenceSerializer(evidence).data)

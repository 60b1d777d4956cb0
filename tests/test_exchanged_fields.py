"""Each model's exchanged fields are written once (in its services) and every door uses that list: the form,
the file's export and import, the API's serializers. A field added to the list reaches every door."""

import datetime

import pytest

from apps.api.serializers import EvidenceInputSerializer, EvidenceSerializer, HypothesisSerializer
from apps.assessments.exchange import assessment_export, assessment_import
from apps.assessments.forms import EvidenceForm
from apps.assessments.services import EVIDENCE_FIELDS, HYPOTHESIS_FIELDS
from apps.indicators.api import IndicatorSerializer, ObservationInputSerializer, ObservationSerializer
from apps.indicators.forms import IndicatorForm, ObservationForm
from apps.indicators.services import INDICATOR_FIELDS, OBSERVATION_FIELDS
from apps.key_assumptions.api import AssumptionSerializer
from apps.key_assumptions.forms import AssumptionEditForm
from apps.key_assumptions.services.assumptions import ASSUMPTION_FIELDS
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db


def test_the_forms_edit_the_services_lists(assessment):
    assert list(EvidenceForm.base_fields)[: len(EVIDENCE_FIELDS)] == list(EVIDENCE_FIELDS)
    assert list(IndicatorForm.base_fields)[: len(INDICATOR_FIELDS)] == list(INDICATOR_FIELDS)
    assert list(AssumptionEditForm.base_fields)[: len(ASSUMPTION_FIELDS)] == list(ASSUMPTION_FIELDS)
    assert set(OBSERVATION_FIELDS) == set(ObservationForm.base_fields)


def test_the_api_serializers_carry_the_services_lists():
    assert list(EvidenceInputSerializer().fields) == list(EVIDENCE_FIELDS)
    assert set(EVIDENCE_FIELDS) <= set(EvidenceSerializer().fields)
    assert set(HYPOTHESIS_FIELDS) <= set(HypothesisSerializer().fields)
    assert set(ASSUMPTION_FIELDS) <= set(AssumptionSerializer().fields)
    assert set(INDICATOR_FIELDS) <= set(IndicatorSerializer().fields)
    assert list(ObservationInputSerializer().fields) == list(OBSERVATION_FIELDS)
    assert set(OBSERVATION_FIELDS) <= set(ObservationSerializer().fields)


def test_a_file_carries_every_listed_field_and_loads_back_to_the_same_values(assessment, analyst, team):
    from apps.indicators import services as indicator_services

    assumption = make_assumption(assessment, analyst, confidence="caveats")
    indicator = make_indicator(assessment, analyst)
    indicator_services.observation_add(
        indicator=indicator,
        user=analyst,
        status="emerging",
        source="Wire",
        note="Seen",
        on=datetime.date(2026, 1, 2),
        evidence_id=assessment.evidence.first().pk,
    )
    data = assessment_export(assessment=assessment)
    assert set(HYPOTHESIS_FIELDS) - {"prior"} <= set(data["hypotheses"][0])  # prior: only when set
    assert set(EVIDENCE_FIELDS) <= set(data["evidence"][0])
    assert set(ASSUMPTION_FIELDS) <= set(data["assumptions"][0])
    assert set(INDICATOR_FIELDS) <= set(data["indicators"][0])
    assert set(OBSERVATION_FIELDS) <= set(data["indicators"][0]["observations"][0])
    copy = assessment_import(data={k: v for k, v in data.items() if k != "id"}, team=team, user=analyst)
    again = assessment_export(assessment=copy)
    for section, fields in (
        ("hypotheses", HYPOTHESIS_FIELDS),
        ("evidence", EVIDENCE_FIELDS),
        ("assumptions", ASSUMPTION_FIELDS),
        ("indicators", INDICATOR_FIELDS),
    ):
        for before, after in zip(data[section], again[section], strict=True):
            assert {f: before.get(f) for f in fields} == {f: after.get(f) for f in fields}, section
    assert assumption.statement == again["assumptions"][0]["statement"]

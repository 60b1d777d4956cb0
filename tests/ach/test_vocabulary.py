"""ACH's rating vocabulary is written once, in apps/ach/scoring.py, and everything else is built from it."""

import pytest

from apps.ach import scoring
from apps.ach.exchange import export_section
from apps.ach.forms import CellForm
from apps.ach.models import LABEL_TO_VALUE, Rating


def test_rating_choices_form_choices_and_codes_come_from_the_scoring_labels():
    labels = [label for label in scoring.RATING_LABELS if label]
    assert [(code, label) for code, label in Rating.Value.choices] == [(scoring.RATING_CODES[x], x) for x in labels]
    assert [value for value, _ in CellForm().fields["value"].choices] == ["", *labels]
    assert {label: scoring.RATING_CODES[label] for label in labels} == LABEL_TO_VALUE


@pytest.mark.django_db
def test_a_new_assessment_exports_the_default_likelihoods_or_its_own_map(assessment):
    assert export_section(assessment)["likelihoods"] == scoring.DEFAULT_LIKELIHOODS
    assessment.likelihoods = {**scoring.DEFAULT_LIKELIHOODS, "CC": 0.9}
    assert export_section(assessment)["likelihoods"] == {"CC": 0.9, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05}

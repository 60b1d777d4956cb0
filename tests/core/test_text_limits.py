"""Each text limit is defined once, in the model, and the JSON schema allows no more."""

import pytest
from django.apps import apps

from apps.assessments.exchange import schema
from apps.core.models import BoundedTextField

# Where each bounded model field travels in the JSON format.
SCHEMA_PLACES = {
    ("assessments", "Assessment", "question"): ["question"],
    ("assessments", "Assessment", "description"): ["description"],
    ("assessments", "Hypothesis", "statement"): ["hypotheses", "statement"],
    ("assessments", "Evidence", "summary"): ["evidence", "summary"],
    ("key_assumptions", "Assumption", "statement"): ["assumptions", "statement"],
    ("key_assumptions", "Assumption", "rationale"): ["assumptions", "rationale"],
    ("key_assumptions", "Assumption", "could_be_untrue"): ["assumptions", "could_be_untrue"],
    ("key_assumptions", "Assumption", "less_true_now"): ["assumptions", "less_true_now"],
    ("key_assumptions", "Change", "reason"): ["assumptions", "history", "reason"],
    ("key_assumptions", "CollectionRequirement", "need"): ["assumptions", "collection_requirements", "need"],
    ("key_assumptions", "CheckRound", "note"): ["assumption_checks", "note"],
    ("indicators", "Indicator", "statement"): ["indicators", "statement"],
    ("indicators", "Indicator", "collection"): ["indicators", "collection"],
    ("indicators", "Observation", "note"): ["indicators", "observations", "note"],
    ("assessments", "Source", "access"): ["sources", "access"],
    ("assessments", "Source", "provenance"): ["sources", "provenance"],
}
# Bounded fields the file format does not carry (their limit is enforced by the model and forms alone).
NOT_EXCHANGED = {
    # The deception checklist's answers are the team's working notes on a source, kept with who answered;
    # a copy of the assessment starts its checklist afresh.
    ("quality", "DeceptionAnswer", "note"),
}


def _schema_at(path: list[str]) -> dict:
    node = schema()
    for name in path:
        node = node["properties"][name]
        if node.get("type") == "array":
            node = node["items"]
    return node


def test_every_bounded_text_field_is_mapped():
    bounded = {
        (model._meta.app_label, model.__name__, field.name)
        for model in apps.get_models()
        # The history library's copies carry the same limits; the file format maps the originals.
        if not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, BoundedTextField)
    }
    assert bounded == set(SCHEMA_PLACES) | NOT_EXCHANGED


@pytest.mark.parametrize(("field", "path"), SCHEMA_PLACES.items())
def test_the_schema_limit_is_the_models(field, path):
    app, model, name = field
    limit = apps.get_model(app, model)._meta.get_field(name).max_length
    assert _schema_at(path)["maxLength"] == limit


@pytest.mark.django_db
def test_model_validation_names_the_field_and_its_limit(assessment):
    from django.core.exceptions import ValidationError

    evidence = assessment.evidence.first()
    evidence.summary = "x" * 5001
    with pytest.raises(ValidationError) as caught:
        evidence.full_clean()
    assert "at most 5000 characters" in caught.value.message_dict["summary"][0]


def test_plain_forms_for_bounded_fields_carry_the_models_limit():
    import datetime

    from apps.key_assumptions.forms import RequirementForm

    due = datetime.date.today() + datetime.timedelta(days=30)
    form = RequirementForm({"need": "x" * 2001, "due": due.isoformat()})
    assert "at most 2000 characters" in form.errors["need"][0]

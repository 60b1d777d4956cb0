import pytest

from apps.indicators import services


def make_indicator(assessment, user, **fields):
    values = {
        "statement": "AQIM-claimed attack in Europe.",
        "category": "activity",
        "collection": "European liaison services.",
        "citation": "§ A Marriage of Convenience, ¶10",
        "review_cadence_days": 90,
        "threshold": "emerging",
    }
    values.update(fields)
    return services.indicator_create(assessment=assessment, user=user, **values)


def validate(indicator, analyst, likelihoods: dict[str, str]):
    """Rate the indicator under each hypothesis key (H1, H2 …) as this analyst."""
    hypotheses = {h.key: h for h in indicator.assessment.hypotheses.all()}
    for key, likelihood in likelihoods.items():
        services.validation_set(
            indicator=indicator, analyst=analyst, hypothesis_id=hypotheses[key].pk, likelihood=likelihood
        )


@pytest.fixture
def indicator(assessment, analyst):
    return make_indicator(assessment, analyst)

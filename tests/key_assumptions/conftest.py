import pytest

from apps.key_assumptions import services


def make_assumption(assessment, user, **fields):
    values = {
        "statement": "AQIM lacks operatives able to work undetected in Europe.",
        "confidence": "caveats",
        "impact": "medium",
        "could_be_untrue": "If a diaspora network is recruited.",
        "owner": user,
    }
    values.update(fields)
    return services.assumption_create(assessment=assessment, user=user, **values)


@pytest.fixture
def assumption(assessment, analyst):
    return make_assumption(assessment, analyst)

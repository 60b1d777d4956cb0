import pytest

from apps.core.numbers import percent_text
from apps.core.templatetags.workbench import percent


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (4.7e-7, 1, "< 0.1%"),  # a posterior's tail is not impossible: never "0.0%"
        (0.0009999, 1, "< 0.1%"),
        (0.001, 1, "0.1%"),
        (0.588, 1, "58.8%"),
        (0.9999995, 1, "> 99.9%"),
        (0.0, 1, "0.0%"),
        (1.0, 1, "100.0%"),
        (0.004, 0, "< 1%"),  # rounding to 0% would say impossible too
        (0.996, 0, "> 99%"),
        (None, 1, "–"),
    ],
)
def test_probabilities_print_with_their_tails_never_rounded_to_certainty(value, digits, shown):
    assert percent_text(value, digits) == shown


def test_the_template_filter_is_the_same_rule():
    assert percent(4.7e-7, 1) == "< 0.1%"
    assert percent(0.5) == "50%"

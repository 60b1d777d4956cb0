"""Indicators are judged as of the assessment's date (none: today): status, staleness, the Grabo rule,
alerts and the daily sweep."""

from datetime import date

import pytest
from django.urls import reverse

from apps.assessments import services as assessment_services
from apps.assessments.models import ScoreSnapshot
from apps.assessments.services import snapshot_compute
from apps.indicators import results, services
from apps.indicators import validator as v
from tests.indicators.conftest import make_indicator

H = ["H1", "H2"]
EXPECTED_UNDER_H1 = {"alice": {"H1": "highly_likely", "H2": "unlikely"}}
# Looked for since 1 Jan 2013 and not seen (cadence 90 days); then seen emerging on 1 Sep 2013.
OBSERVATIONS = [
    (date(2013, 1, 1), "not_observed"),
    (date(2013, 6, 1), "not_observed"),
    (date(2013, 9, 1), "emerging"),
]


def _assess(observations, on: date, reviewed_on=None):
    item = v.IndicatorInput(
        key="IND1",
        threshold="emerging",
        cadence_days=90,
        reviewed_on=reviewed_on,
        observations=observations,
        ratings=EXPECTED_UNDER_H1,
    )
    return v.board_assess([item], H, on)


@pytest.mark.parametrize(
    ("on", "status", "negative"),
    [
        # 1 Aug 2013: the run of "not observed" began 1 Jan (a cadence before: 1 Apr ≤ 1 Aug) and the latest
        # look, 1 Jun, is within 90 days before (2 May ≤ 1 Jun): a negative indication. The 1 Sep sighting
        # is after the as-of date: it does not count yet.
        (date(2013, 8, 1), "not_observed", True),
        # 31 Mar 2013: looked for only since 1 Jan, less than a cadence: not yet.
        (date(2013, 3, 31), "not_observed", False),
        # 1 Oct 2013: seen emerging on 1 Sep.
        (date(2013, 10, 1), "emerging", False),
        # Judged today (2026), without the sighting, the 1 Jun look would be stale: not a negative indication.
        (date(2026, 12, 4), "emerging", False),
    ],
)
def test_the_grabo_rule_and_the_status_are_judged_at_the_as_of_date(on, status, negative):
    board = _assess(OBSERVATIONS, on)
    (indicator,) = board.indicators
    assert (indicator.status, indicator.negative) == (status, negative)


def test_a_look_that_is_fresh_at_the_as_of_date_is_stale_today():
    looks = OBSERVATIONS[:2]
    assert _assess(looks, date(2013, 8, 1)).indicators[0].negative
    assert not _assess(looks, date(2026, 12, 4)).indicators[0].negative
    # The negative indication counts against H1, which expected the indicator: the board favours H2.
    assert _assess(looks, date(2013, 8, 1)).favoured == "H2"


def test_a_review_after_the_as_of_date_is_not_the_trend_baseline():
    board = _assess(OBSERVATIONS, date(2013, 8, 1), reviewed_on=date(2013, 12, 1))
    assert board.indicators[0].trend == "steady"


@pytest.fixture
def dated(assessment, analyst):
    indicator = make_indicator(assessment, analyst, review_cadence_days=90)
    for hypothesis, likelihood in zip(
        assessment.hypotheses.order_by("order"), ["highly_likely", "unlikely", "unlikely"], strict=True
    ):
        services.validation_set(
            indicator=indicator, analyst=analyst, hypothesis_id=hypothesis.pk, likelihood=likelihood
        )
    for on, status in OBSERVATIONS[:2]:
        services.observation_add(indicator=indicator, user=analyst, status=status, source="Wire", on=on)
    return assessment


@pytest.mark.django_db
def test_the_snapshot_and_the_board_judge_as_of_the_assessments_date(client, dated, analyst):
    snapshot_compute(assessment_id=dated.pk)
    latest = ScoreSnapshot.objects.filter(assessment=dated).order_by("-version").first()
    assert latest.results["indicators"]["indicators"]["IND1"]["negative"] is False  # stale today
    client.force_login(analyst)
    response = client.post(reverse("indicators:as_of", args=[dated.pk]), {"as_of": "2013-08-01"})
    assert response.status_code == 302
    dated.refresh_from_db()
    assert dated.as_of == date(2013, 8, 1)
    snapshot_compute(assessment_id=dated.pk)
    latest = ScoreSnapshot.objects.filter(assessment=dated).order_by("-version").first()
    assert latest.results["indicators"]["as_of"] == "2013-08-01"
    assert latest.results["indicators"]["indicators"]["IND1"]["negative"] is True
    page = client.get(reverse("indicators:board", args=[dated.pk])).content.decode()
    assert 'id="negative-indications"' in page and "counts against H1" in page
    # A date-bound assessment does not change from one day to the next: the daily sweep leaves it.
    assert dated.pk not in results.assessments_with_indicators()


@pytest.mark.django_db
def test_a_negative_no_hypothesis_expects_names_the_ones_it_costs_most(client, assessment, analyst):
    # Unlikely under H1, highly unlikely under the others: not seeing it costs every hypothesis ln(1 - L),
    # H1 the most (ln 0.75 against ln 0.95 with the default map), though none expects it.
    indicator = make_indicator(assessment, analyst, review_cadence_days=90)
    for hypothesis, likelihood in zip(
        assessment.hypotheses.order_by("order"), ["unlikely", "highly_unlikely", "highly_unlikely"], strict=True
    ):
        services.validation_set(
            indicator=indicator, analyst=analyst, hypothesis_id=hypothesis.pk, likelihood=likelihood
        )
    for on, status in OBSERVATIONS[:2]:
        services.observation_add(indicator=indicator, user=analyst, status=status, source="Wire", on=on)
    assessment_services.assessment_as_of_set(assessment=assessment, user=analyst, as_of=date(2013, 8, 1))
    client.force_login(analyst)
    board = client.get(reverse("indicators:board", args=[assessment.pk])).content.decode()
    detail = client.get(reverse("indicators:detail", args=[assessment.pk, indicator.pk])).content.decode()
    assert "no hypothesis expects it; it counts most against H1, the likeliest to see it" in board
    assert "counts against each a little, most against H1" in detail
    assert "none expects it" not in board + detail


@pytest.mark.django_db
def test_a_future_or_malformed_as_of_date_is_refused_and_changes_nothing(client, dated, analyst):
    client.force_login(analyst)
    for raw in ("2999-01-01", "mid-2013"):
        client.post(reverse("indicators:as_of", args=[dated.pk]), {"as_of": raw})
        dated.refresh_from_db()
        assert dated.as_of is None
    with pytest.raises(Exception, match="future"):
        assessment_services.assessment_as_of_set(assessment=dated, user=analyst, as_of=date(2999, 1, 1))

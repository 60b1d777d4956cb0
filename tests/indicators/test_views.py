"""Indicator pages: team isolation, roles, htmx fragments, bad input and bounded queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.indicators.models import Indicator, IndicatorSettings, Observation, Validation

from .conftest import make_indicator, validate

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _observation(**overrides):
    data = {"status": "emerging", "date": timezone.localdate().isoformat(), "source": "Liaison report", "note": ""}
    data.update(overrides)
    return data


def _url(name, indicator, *extra):
    return reverse(f"indicators:{name}", args=[indicator.assessment_id, indicator.pk, *extra])


def test_the_board_shows_the_indicators_by_hypothesis_and_the_grabo_rule(client, analyst, assessment, indicator):
    validate(indicator, analyst, {"H1": "highly_likely", "H2": "unlikely", "H3": "unlikely"})
    client.force_login(analyst)
    page = client.get(reverse("indicators:board", args=[assessment.pk])).content.decode()
    assert 'id="col-H1"' in page and "AQIM-claimed attack in Europe." in page
    assert "No information is not “not observed”" in page
    assert "Grabo" in page


def test_an_indicator_of_another_assessment_is_404_under_this_one(client, analyst, team, assessment, indicator):
    from tests import factories

    other = factories.assessment_with_matrix(team=team, user=analyst)
    client.force_login(analyst)
    assert client.get(reverse("indicators:detail", args=[other.pk, indicator.pk])).status_code == 404
    assert (
        client.post(reverse("indicators:observation_add", args=[other.pk, indicator.pk]), _observation()).status_code
        == 404
    )


def test_the_supervisor_reads_but_cannot_write(client, supervisor, assessment, indicator):
    client.force_login(supervisor)
    assert client.get(_url("detail", indicator)).status_code == 200
    hypothesis = assessment.hypotheses.first()
    assert client.post(_url("observation_add", indicator), _observation(), **HTMX).status_code == 403
    assert (
        client.post(
            _url("validation_set", indicator), {"hypothesis": hypothesis.pk, "likelihood": "likely"}
        ).status_code
        == 403
    )
    assert client.post(_url("review", indicator)).status_code == 403
    assert client.post(_url("delete", indicator)).status_code == 403
    assert not Observation.objects.exists() and not Validation.objects.exists()
    assert Indicator.objects.filter(pk=indicator.pk, reviewed_on__isnull=True).exists()


def test_setting_a_status_by_htmx_records_the_observation_and_refreshes_the_status_out_of_band(
    client, analyst, assessment, indicator
):
    client.force_login(analyst)
    response = client.post(_url("observation_add", indicator), _observation(status="partially_present"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<form id="observation-form"')
    assert '<div id="summary" class="card" hx-swap-oob="true">' in body
    assert 'id="current-status">Partially present<' in body
    assert 'id="threshold-reached"' in body
    observation = Observation.objects.get(indicator=indicator)
    assert (observation.status, observation.analyst, observation.source) == (
        "partially_present",
        analyst,
        "Liaison report",
    )


def test_without_htmx_a_status_form_post_redirects_back_to_the_indicator(client, analyst, indicator):
    client.force_login(analyst)
    response = client.post(_url("observation_add", indicator), _observation())
    assert response.status_code == 302
    assert response["Location"] == _url("detail", indicator)
    assert Observation.objects.filter(indicator=indicator, status="emerging").exists()


def test_an_observation_without_a_source_comes_back_with_the_error_and_saves_nothing(client, analyst, indicator):
    client.force_login(analyst)
    response = client.post(_url("observation_add", indicator), _observation(source=""), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<form id="observation-form"')
    assert "This field is required." in body
    assert not Observation.objects.exists()


def test_a_future_or_malformed_date_is_refused_inline(client, analyst, indicator):
    client.force_login(analyst)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        "cannot be dated in the future"
        in client.post(_url("observation_add", indicator), _observation(date=tomorrow), **HTMX).content.decode()
    )
    assert (
        "2013-02-30 is not a real date."
        in client.post(_url("observation_add", indicator), _observation(date="2013-02-30"), **HTMX).content.decode()
    )
    assert not Observation.objects.exists()


def test_rating_the_validator_sets_only_my_own_rating_and_returns_the_validator(
    client, analyst, teammate, assessment, indicator
):
    h1 = assessment.hypotheses.get(key="H1")
    validate(indicator, teammate, {"H1": "highly_unlikely"})
    client.force_login(analyst)
    response = client.post(
        _url("validation_set", indicator), {"hypothesis": h1.pk, "likelihood": "highly_likely"}, **HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="validator"')
    # Team H1 = (0.9 + 0.1) / 2 = 0.5: "could".
    assert 'class="lk lk-could' in body
    assert set(Validation.objects.values_list("analyst__username", "likelihood")) == {
        ("alice", "highly_likely"),
        ("bob", "highly_unlikely"),
    }


def test_an_unknown_likelihood_is_a_400_and_saves_nothing(client, analyst, assessment, indicator):
    client.force_login(analyst)
    h1 = assessment.hypotheses.get(key="H1")
    response = client.post(_url("validation_set", indicator), {"hypothesis": h1.pk, "likelihood": "probable"}, **HTMX)
    assert response.status_code == 400
    assert not Validation.objects.exists()


def test_creating_an_indicator_by_htmx_goes_to_its_page(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(
        reverse("indicators:create", args=[assessment.pk]),
        {
            "statement": "MANPADs used against aircraft",
            "category": "capability",
            "review_cadence_days": 180,
            "threshold": "emerging",
        },
        **HTMX,
    )
    indicator = Indicator.objects.get(assessment=assessment)
    assert response["HX-Redirect"] == reverse("indicators:detail", args=[assessment.pk, indicator.pk])
    assert indicator.key == "IND1"


def test_an_invalid_indicator_comes_back_as_the_form_with_errors(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(
        reverse("indicators:create", args=[assessment.pk]),
        {"statement": "", "category": "mood", "review_cadence_days": 0, "threshold": "not_observed"},
        **HTMX,
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="indicator-form"')
    assert body.count('class="field-error"') == 4
    assert not Indicator.objects.exists()


def test_editing_an_indicator_saves_and_returns_its_fields(client, analyst, indicator):
    client.force_login(analyst)
    form = client.get(_url("edit", indicator), **HTMX).content.decode()
    assert "<form" in form and 'name="statement"' in form
    response = client.post(
        _url("edit", indicator),
        {
            "statement": "Reworded",
            "category": "intent",
            "collection": "",
            "citation": "",
            "review_cadence_days": 30,
            "threshold": "fully_present",
            "version": 1,
        },
        **HTMX,
    )
    assert 'id="statement">Reworded<' in response.content.decode()
    indicator.refresh_from_db()
    assert (indicator.statement, indicator.review_cadence_days, indicator.threshold) == (
        "Reworded",
        30,
        "fully_present",
    )


def test_marking_reviewed_clears_the_due_badge(client, analyst, indicator):
    client.force_login(analyst)
    body = client.post(_url("review", indicator), **HTMX).content.decode()
    assert "due for review" not in body.split('id="summary"')[1].split("</div>")[0]
    indicator.refresh_from_db()
    assert indicator.reviewed_on == timezone.localdate()


def test_deleting_an_observation_removes_it(client, analyst, indicator):
    from apps.indicators.services import observation_add

    observation = observation_add(indicator=indicator, user=analyst, status="emerging", source="x")
    client.force_login(analyst)
    body = client.post(_url("observation_delete", indicator, observation.pk), **HTMX).content.decode()
    assert "No observations yet" in body
    assert not Observation.objects.exists()


def test_renaming_the_status_steps_shows_the_new_names_on_the_board(client, analyst, assessment, indicator):
    client.force_login(analyst)
    names = {
        "no_information": "Dark",
        "not_observed": "Quiet",
        "emerging": "Stirring",
        "partially_present": "Building",
        "fully_present": "Here",
    }
    response = client.post(reverse("indicators:status_labels", args=[assessment.pk]), names)
    assert response.status_code == 302
    assert IndicatorSettings.objects.get(assessment=assessment).labels() == names
    assert "Stirring" in client.get(reverse("indicators:board", args=[assessment.pk])).content.decode()


def test_duplicate_step_names_come_back_with_an_error(client, analyst, assessment):
    client.force_login(analyst)
    names = dict.fromkeys(["no_information", "not_observed", "emerging", "partially_present", "fully_present"], "Same")
    response = client.post(reverse("indicators:status_labels", args=[assessment.pk]), names, **HTMX)
    assert "Each step needs a different name." in response.content.decode()
    assert not IndicatorSettings.objects.filter(assessment=assessment).exclude(status_labels={}).exists()


def test_the_panel_shows_a_warning_once_the_rescoring_records_it(client, analyst, assessment, indicator):
    from apps.assessments.services import snapshot_compute
    from apps.indicators.services import observation_add

    snapshot_compute(assessment_id=assessment.pk)
    observation_add(indicator=indicator, user=analyst, status="fully_present", source="x")
    snapshot_compute(assessment_id=assessment.pk)
    client.force_login(analyst)
    body = client.get(reverse("indicators:panel", args=[assessment.pk]), **HTMX).content.decode()
    assert "Indicator IND1 reached its warning threshold" in body
    assert "Up to date" in body


def test_the_panel_answers_204_while_neither_the_content_nor_the_snapshot_moved(client, analyst, assessment, indicator):
    from apps.assessments.services import snapshot_compute

    snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    client.force_login(analyst)
    url = reverse("indicators:panel", args=[assessment.pk])
    shown = f"{assessment.content_version}-{assessment.content_version}"
    assert client.get(url, {"shown": shown}, **HTMX).status_code == 204
    response = client.get(url, {"shown": "0-0"}, **HTMX)
    assert response.status_code == 200 and f"shown={shown}" in response.content.decode()


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_board_and_detail_pages_run_the_same_number_of_queries_for_2_or_20_indicators(
    client, analyst, teammate, assessment
):
    from apps.indicators.services import observation_add

    def add(count):
        for _ in range(count):
            indicator = make_indicator(assessment, analyst)
            validate(indicator, analyst, {"H1": "likely", "H2": "could", "H3": "unlikely"})
            validate(indicator, teammate, {"H1": "likely", "H2": "could", "H3": "unlikely"})
            observation_add(indicator=indicator, user=analyst, status="emerging", source="x")
        return indicator

    client.force_login(analyst)
    last = add(2)
    board_url = reverse("indicators:board", args=[assessment.pk])
    small_board, small_detail = _page_queries(client, board_url), _page_queries(client, _url("detail", last))
    last = add(18)
    assert _page_queries(client, board_url) == small_board
    assert _page_queries(client, _url("detail", last)) == small_detail


def test_the_board_loads_its_data_in_five_queries_whatever_its_size(analyst, assessment, django_assert_num_queries):
    from apps.indicators.selectors import board_get

    for _ in range(3):
        indicator = make_indicator(assessment, analyst)
        validate(indicator, analyst, {"H1": "likely", "H2": "could", "H3": "unlikely"})
    # Hypotheses, indicators, validations (with analysts), observations (with analysts, evidence), settings.
    with django_assert_num_queries(5):
        board_get(assessment=assessment).assess()

"""Every edit form, saved exactly as rendered, changes nothing: no field, no history, no version."""

import datetime

import pytest
from django.urls import reverse

from apps.assessments import services
from apps.key_assumptions import services as kac_services
from tests.assessments.test_freeze import database_state
from tests.htmlforms import form_data, forms_in
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def filled(assessment, analyst):
    """An assessment whose every editable field holds a value a careless form could drop."""
    evidence = assessment.evidence.first()
    services.evidence_update(
        evidence=evidence,
        expected_version=evidence.version,
        user=analyst,
        summary="Dated report",
        source="Wire",
        citation="p. 4",
        date=datetime.date(2012, 3, 1),
        type="fact",
        credibility="high",
        relevance="low",
    )
    services.priors_set(
        assessment=assessment,
        user=analyst,
        priors={h.pk: p for h, p in zip(assessment.hypotheses.order_by("order"), (0.5, 0.3, 0.2), strict=True)},
    )
    assumption = make_assumption(assessment, analyst)
    kac_services.judgment_set(assumption=assumption, analyst=analyst, confidence="solid", impact="high", note="Mine")
    make_indicator(assessment, analyst)
    assessment.refresh_from_db()
    return assessment


def _edit_forms(a):
    hypothesis, evidence = a.hypotheses.first(), a.evidence.first()
    assumption, indicator = a.assumptions.first(), a.indicators.first()
    return {
        "hypothesis": (reverse("assessments:hypothesis_edit", args=[a.pk, hypothesis.pk]), "/edit/"),
        "evidence": (reverse("assessments:evidence_edit", args=[a.pk, evidence.pk]), "/edit/"),
        "assumption": (reverse("key_assumptions:assumption_edit", args=[a.pk, assumption.pk]), "/edit/"),
        "judgment": (reverse("key_assumptions:check", args=[a.pk]), "/judgment/"),
        "indicator": (reverse("indicators:edit", args=[a.pk, indicator.pk]), "/edit/"),
        "priors": (reverse("ach:priors", args=[a.pk]), "/priors/set/"),
        "status steps": (reverse("indicators:status_labels", args=[a.pk]), "/status-steps/"),
    }


# The answer to each form saved unchanged, from htmx and plain: htmx edits of a row answer 204 (the row's
# region refreshes itself) or the panel again (200); a plain post goes back to its page (302), except the
# assumption form, which shows itself again.
ANSWERS = {
    "hypothesis": (204, 302),
    "evidence": (204, 302),
    "assumption": (200, 200),
    "judgment": (200, 302),
    "indicator": (200, 302),
    "priors": (200, 302),
    "status steps": (200, 302),
}


@pytest.mark.parametrize("which", list(ANSWERS))
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_an_edit_form_saved_unchanged_changes_nothing(client, filled, analyst, which, htmx):
    client.force_login(analyst)
    page, action = _edit_forms(filled)[which]
    headers = HTMX if htmx else {}
    html = client.get(page, **headers).content.decode()
    form = next(f for f in forms_in(html) if action in f["action"])
    before_state, before_version = database_state(), filled.content_version
    response = client.post(form["action"], form_data(form), **headers)
    assert response.status_code == ANSWERS[which][0 if htmx else 1], response.content.decode()[:500]
    filled.refresh_from_db()
    assert filled.content_version == before_version
    assert database_state() == before_state


def test_the_evidence_edit_form_shows_the_date_in_iso_format(client, filled, analyst):
    client.force_login(analyst)
    evidence = filled.evidence.get(summary="Dated report")
    html = client.get(reverse("assessments:evidence_edit", args=[filled.pk, evidence.pk]), **HTMX).content.decode()
    assert 'value="2012-03-01"' in html

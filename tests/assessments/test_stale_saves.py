"""Two people editing the same item: the second save is refused, shown what is saved now, its input kept."""

import pytest
from django.urls import reverse

from apps.assessments.models import Activity, Evidence, Hypothesis
from apps.indicators.models import Indicator
from apps.key_assumptions.models import Assumption, Change
from tests.htmlforms import form_data, forms_in
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _open(client, url) -> dict[str, list[str]]:
    html = client.get(url, **HTMX).content.decode()
    return form_data(next(f for f in forms_in(html) if "/edit/" in f["action"]))


def _two_editors(client, analyst, teammate, url, field, first, second, saved=204):
    """Both open the form, the teammate saves first (answered `saved`: 204 for an item's row, which refreshes
    itself; the indicator form answers with itself, 200); the analyst's save comes second. Its response."""
    client.force_login(analyst)
    mine = _open(client, url)
    client.force_login(teammate)
    theirs = _open(client, url)
    theirs[field] = [first]
    assert client.post(url, theirs, **HTMX).status_code == saved
    client.force_login(analyst)
    mine[field] = [second]
    return client.post(url, mine, **HTMX).content.decode()


@pytest.mark.parametrize(
    ("kind", "field", "model"),
    [("evidence", "summary", Evidence), ("hypothesis", "statement", Hypothesis)],
)
def test_the_second_of_two_editors_is_refused_and_shown_the_saved_values(
    client, assessment, analyst, teammate, kind, field, model
):
    item = (assessment.evidence if kind == "evidence" else assessment.hypotheses).first()
    url = reverse(f"assessments:{kind}_edit", args=[assessment.pk, item.pk])
    body = _two_editors(client, analyst, teammate, url, field, "Teammate's wording", "My wording")
    item.refresh_from_db()
    assert getattr(item, field) == "Teammate's wording" and item.version == 2
    assert "Someone else saved this" in body
    assert 'id="conflict"' in body and "Teammate&#x27;s wording" in body  # what is saved now
    assert "My wording" in body  # the user's own input, still in the form
    assert 'name="version" value="2"' in body  # saving again is a deliberate overwrite
    assert model.objects.filter(**{field: "My wording"}).count() == 0


def test_saving_again_after_the_refusal_overwrites_deliberately(client, assessment, analyst, teammate):
    item = assessment.evidence.first()
    url = reverse("assessments:evidence_edit", args=[assessment.pk, item.pk])
    body = _two_editors(client, analyst, teammate, url, "summary", "Theirs", "Mine")
    form = next(f for f in forms_in(body) if "/edit/" in f["action"])
    client.post(form["action"], form_data(form), **HTMX)
    item.refresh_from_db()
    assert item.summary == "Mine" and item.version == 3


def test_a_stale_assumption_save_is_refused_and_its_history_does_not_record_it(client, assessment, analyst, teammate):
    assumption = make_assumption(assessment, analyst)
    url = reverse("key_assumptions:assumption_edit", args=[assessment.pk, assumption.pk])
    client.force_login(analyst)
    mine = _open(client, url)
    client.force_login(teammate)
    theirs = _open(client, url)
    theirs.update(statement=["Teammate's premise"], reason=["New reporting"])
    client.post(url, theirs, **HTMX)
    edits_before = Change.objects.filter(assumption=assumption, action=Change.Action.EDITED).count()
    client.force_login(analyst)
    mine.update(statement=["My premise"], reason=["My reason"])
    body = client.post(url, mine, **HTMX).content.decode()
    assumption.refresh_from_db()
    assert assumption.statement == "Teammate's premise" and assumption.version == 2
    assert "Someone else saved this" in body and "My premise" in body and "My reason" in body
    assert Change.objects.filter(assumption=assumption, action=Change.Action.EDITED).count() == edits_before == 1
    assert not Change.objects.filter(reason="My reason").exists()
    assert Assumption.objects.filter(statement="My premise").count() == 0


def test_a_stale_indicator_save_is_refused(client, assessment, analyst, teammate):
    indicator = make_indicator(assessment, analyst)
    url = reverse("indicators:edit", args=[assessment.pk, indicator.pk])
    body = _two_editors(client, analyst, teammate, url, "statement", "Their indicator", "My indicator", saved=200)
    indicator.refresh_from_db()
    assert indicator.statement == "Their indicator"
    assert "Someone else saved this" in body and "My indicator" in body
    assert not Indicator.objects.filter(statement="My indicator").exists()


def test_an_edit_is_in_the_feed_with_before_and_after(client, assessment, analyst):
    evidence = assessment.evidence.first()
    client.force_login(analyst)
    url = reverse("assessments:evidence_edit", args=[assessment.pk, evidence.pk])
    data = _open(client, url)
    data.update(summary=["Revised summary"], credibility=["high"])
    client.post(url, data, **HTMX)
    line = Activity.objects.filter(assessment=assessment, data__action="edit").get()
    assert line.actor == analyst and evidence.key in line.message
    assert line.data["changes"] == {
        "summary": ["Evidence item 1", "Revised summary"],
        "credibility": ["medium", "high"],
    }
    feed = client.get(reverse("assessments:activity", args=[assessment.pk])).content.decode()
    assert "Evidence item 1" in feed and "Revised summary" in feed


def test_a_hypothesis_edit_and_a_prior_change_are_in_the_feed_with_before_and_after(client, assessment, analyst):
    client.force_login(analyst)
    hypothesis = assessment.hypotheses.first()
    url = reverse("assessments:hypothesis_edit", args=[assessment.pk, hypothesis.pk])
    data = _open(client, url)
    data["statement"] = ["H one, sharpened"]
    client.post(url, data, **HTMX)
    edit = Activity.objects.get(assessment=assessment, data__action="edit")
    assert edit.data["changes"] == {"statement": ["H one", "H one, sharpened"]}
    priors = {f"prior_{h.pk}": p for h, p in zip(assessment.hypotheses.all(), ("0.5", "0.25", "0.25"), strict=True)}
    client.post(reverse("ach:priors_set", args=[assessment.pk]), priors)
    line = Activity.objects.get(assessment=assessment, data__action="priors")
    assert line.data["changes"]["H1"] == [None, 0.5]
    assert "H1 uniform → 0.5" in line.message


def test_the_version_rides_hidden_in_the_edit_form(client, assessment, analyst):
    evidence = assessment.evidence.first()
    client.force_login(analyst)
    body = client.get(reverse("assessments:evidence_edit", args=[assessment.pk, evidence.pk]), **HTMX).content.decode()
    assert '<input type="hidden" name="version" value="1"' in body
    assert ">Version</label>" not in body

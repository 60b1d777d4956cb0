"""Services are the only writers: a file load keeps the freeze, the item versions and every field, like a form."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.ach.models import Rating
from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.exchange import AssessmentFileError, assessment_export, assessment_load
from apps.assessments.models import Activity, Assessment
from apps.assessments.services.files import assessment_fork
from tests import factories
from tests.htmlforms import form_data, forms_in
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


@pytest.fixture
def loaded(assessment, team_admin):
    """The assessment with a stable id, as a team admin's file load finds it."""
    Assessment.objects.filter(pk=assessment.pk).update(slug="maghreb-1")
    assessment.refresh_from_db()
    return assessment


def _file(assessment, **changes):
    data = assessment_export(assessment=assessment)
    data.update(changes)
    return data


def _approve(assessment, analyst, supervisor):
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    services.assessment_review(assessment=assessment, user=supervisor, action="approve")


def _state(assessment):
    assessment.refresh_from_db()
    evidence = list(assessment.evidence.order_by("pk").values_list("summary", "origin", "version"))
    return assessment.title, assessment.content_version, evidence


@pytest.mark.parametrize("freeze", ["approved", "archived"])
def test_a_file_load_by_id_is_refused_on_a_frozen_assessment_and_changes_nothing(
    freeze, loaded, analyst, supervisor, team_admin
):
    data = _file(loaded, title="Rewritten after approval")
    data["evidence"][0]["summary"] = "Rewritten after approval"
    if freeze == "approved":
        _approve(loaded, analyst, supervisor)
    else:
        services.assessment_archive(assessment=loaded, user=team_admin)
    before = _state(loaded)
    with pytest.raises(AssessmentFileError) as refused:
        assessment_load(data=data, team=loaded.team, user=team_admin)
    assert "read-only" in refused.value.errors[0] and "maghreb-1" in refused.value.errors[0]
    assert _state(loaded) == before


def test_a_service_write_to_an_approved_assessment_is_refused_whatever_the_door(assessment, analyst, supervisor):
    _approve(assessment, analyst, supervisor)
    version = Assessment.objects.get(pk=assessment.pk).content_version
    with pytest.raises(PermissionDenied, match="approved and read-only"):
        services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "Late"}], via="API")
    with pytest.raises(PermissionDenied):
        services.evidence_reorder(
            assessment=assessment, user=analyst, ordered_ids=list(assessment.evidence.values_list("pk", flat=True))
        )
    assert Assessment.objects.get(pk=assessment.pk).content_version == version
    assert not assessment.evidence.filter(summary="Late").exists()


def test_a_file_load_writes_each_evidence_field_and_moves_the_item_version_on(loaded, team_admin):
    item = loaded.evidence.order_by("order").first()
    data = _file(loaded)
    data["evidence"][0].update(summary="From the file", origin="Same informant as E2")
    result = assessment_load(data=data, team=loaded.team, user=team_admin)
    assert result.action == "updated"
    item.refresh_from_db()
    assert (item.summary, item.origin, item.version) == ("From the file", "Same informant as E2", 2)


def test_an_edit_form_opened_before_a_file_load_is_refused_as_stale(client, loaded, analyst, team_admin):
    item = loaded.evidence.order_by("order").first()
    url = reverse("assessments:evidence_edit", args=[loaded.pk, item.pk])
    client.force_login(analyst)
    html = client.get(url, **HTMX).content.decode()
    opened = form_data(next(f for f in forms_in(html) if "/edit/" in f["action"]))
    data = _file(loaded)
    data["evidence"][0]["summary"] = "From the file"
    assessment_load(data=data, team=loaded.team, user=team_admin)
    opened["summary"] = ["From the open form"]
    body = client.post(url, opened, **HTMX).content.decode()
    item.refresh_from_db()
    assert item.summary == "From the file"
    assert "Someone else saved this" in body


# Attribution: a user loads only her own judgments; a team admin's load may carry teammates', and says so.


def _small_file(**sections):
    return {
        "format": "sat-workbench/assessment@1",
        "title": "Imported",
        "question": "Which?",
        "hypotheses": [{"key": "H1", "statement": "One"}, {"key": "H2", "statement": "Two"}],
        "evidence": [{"key": "E1", "summary": "First", "credibility": "high", "relevance": "high"}],
        **sections,
    }


def _by(analyst: str) -> dict:
    """A file whose every kind of judgment is the named analyst's."""
    return _small_file(
        ratings=[{"analyst": analyst, "evidence": "E1", "hypothesis": "H1", "rating": "C"}],
        assumptions=[
            {
                "key": "A1",
                "statement": "Premise",
                "confidence": "solid",
                "impact": "high",
                "judgments": [{"analyst": analyst, "confidence": "solid", "impact": "high"}],
            }
        ],
        indicators=[
            {
                "key": "IND1",
                "statement": "Sign",
                "category": "activity",
                "threshold": "emerging",
                "validations": [{"analyst": analyst, "hypothesis": "H1", "likelihood": "likely"}],
                "observations": [
                    {"date": "2026-01-01", "status": "not_observed", "source": "Wire", "analyst": analyst}
                ],
            }
        ],
    )


def _upload(data):
    return SimpleUploadedFile("a.json", json.dumps(data).encode(), content_type="application/json")


def test_an_analysts_json_import_naming_a_teammate_is_refused_and_writes_nothing(client, team, analyst, teammate):
    client.force_login(analyst)
    response = client.post(reverse("assessments:import"), {"file": _upload(_by("bob"))})
    body = response.content.decode()
    assert response.status_code == 400
    for what in ("ratings", "judgments", "validations", "observations"):
        assert f"{what}: 1 by bob: you may load only your own" in body
    assert not Assessment.objects.exists()


def test_an_analysts_json_import_of_her_own_judgments_is_accepted(client, team, analyst, teammate):
    client.force_login(analyst)
    response = client.post(reverse("assessments:import"), {"file": _upload(_by("alice"))})
    assert response.status_code == 302
    imported = Assessment.objects.get()
    assert not Activity.objects.filter(assessment=imported, data__action="on_behalf").exists()


def test_a_team_admins_import_may_carry_a_teammates_judgments_and_the_feed_says_on_whose_behalf(
    client, team, teammate, team_admin
):
    client.force_login(team_admin)
    assert client.post(reverse("assessments:import"), {"file": _upload(_by("bob"))}).status_code == 302
    imported = Assessment.objects.get()
    assert Rating.objects.get(assessment=imported).analyst == teammate
    line = Activity.objects.get(assessment=imported, data__action="on_behalf")
    assert line.message == "1 judgment and 1 observation and 1 rating and 1 validation by bob, loaded by tess"
    assert line.actor == team_admin


def test_a_load_by_id_of_a_teammates_rating_by_an_analyst_is_refused(loaded, analyst, teammate):
    data = _file(loaded)
    data["ratings"] = [{"analyst": "bob", "evidence": "E1", "hypothesis": "H1", "rating": "II"}]
    with pytest.raises(AssessmentFileError, match="ratings: 1 by bob"):
        assessment_load(data=data, team=loaded.team, user=analyst)
    assert not Rating.objects.filter(assessment=loaded, analyst=teammate).exists()


def test_a_fork_keeps_each_ratings_author_and_says_it_copied_them(assessment, analyst, teammate):
    e1, h1 = assessment.evidence.get(key="E1"), assessment.hypotheses.get(key="H1")
    # alice has rated E1 in full, so bob's rating of it is hers to copy (an analyst's fork holds only what she
    # may see: apps.assessments.visibility).
    for hypothesis in assessment.hypotheses.all():
        rating_set(assessment=assessment, analyst=analyst, evidence_id=e1.pk, hypothesis_id=hypothesis.pk, label="C")
    rating_set(assessment=assessment, analyst=teammate, evidence_id=e1.pk, hypothesis_id=h1.pk, label="I")
    fork = assessment_fork(assessment=assessment, user=analyst, with_ratings=True)
    assert Rating.objects.get(assessment=fork, analyst=teammate).hypothesis.key == "H1"
    assert Activity.objects.get(assessment=fork, data__action="on_behalf").message == "1 rating by bob, copied by alice"


# Item versions: every edit says which version it edits; a save without one is refused like a stale one.


@pytest.mark.parametrize("kind", ["hypothesis", "evidence", "assumption", "indicator"])
def test_an_edit_form_posted_without_its_version_is_refused_and_shows_the_saved_values(
    client, assessment, analyst, kind
):
    if kind == "assumption":
        item = make_assumption(assessment, analyst)
        url, field = reverse("key_assumptions:assumption_edit", args=[assessment.pk, item.pk]), "statement"
    elif kind == "indicator":
        item = make_indicator(assessment, analyst)
        url, field = reverse("indicators:edit", args=[assessment.pk, item.pk]), "statement"
    else:
        item = (assessment.evidence if kind == "evidence" else assessment.hypotheses).first()
        url = reverse(f"assessments:{kind}_edit", args=[assessment.pk, item.pk])
        field = "summary" if kind == "evidence" else "statement"
    saved = getattr(item, field)
    client.force_login(analyst)
    html = client.get(url, **HTMX).content.decode()
    posted = form_data(next(f for f in forms_in(html) if "/edit/" in f["action"]))
    assert posted.pop("version")
    posted[field] = ["Overwritten without a version"]
    if kind == "assumption":
        posted["reason"] = ["Tidying"]
    body = client.post(url, posted, **HTMX).content.decode()
    item.refresh_from_db()
    assert getattr(item, field) == saved and item.version == 1
    assert "Someone else saved this" in body and 'name="version" value="1"' in body

import json

import pytest
from django.urls import reverse

from apps.ach.models import Rating
from apps.ach.services import rating_set
from apps.assessments.models import Evidence, Hypothesis

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _cells(assessment):
    return list(assessment.evidence.order_by("order")), list(assessment.hypotheses.order_by("order"))


def _matrix_region(client, assessment) -> str:
    """What the matrix fetches when it hears `items-changed`."""
    url = reverse("ach:matrix", args=[assessment.pk]) + "?view=mine&sort=order"
    return client.get(url, HTTP_HX_TARGET="matrix", **HTMX).content.decode()


def test_adding_a_hypothesis_inline_returns_a_fresh_form_and_tells_the_matrix(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(
        reverse("assessments:hypothesis_create", args=[assessment.pk]), {"statement": "A fourth idea"}, **HTMX
    )
    body = response.content.decode()
    assert Hypothesis.objects.filter(assessment=assessment, key="H4", statement="A fourth idea").exists()
    assert json.loads(response.headers["HX-Trigger"]) == {"items-changed": {}}
    assert body.lstrip().startswith('<form id="hypothesis-form"') and "A fourth idea" not in body
    assert 'id="matrix"' not in body and "hx-swap-oob" not in body
    assert "A fourth idea" in _matrix_region(client, assessment)


def test_an_empty_hypothesis_shows_an_inline_error_and_saves_nothing(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(reverse("assessments:hypothesis_create", args=[assessment.pk]), {"statement": ""}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in body
    assert 'id="matrix"' not in body
    assert assessment.hypotheses.count() == 3


def test_adding_evidence_with_a_bad_credibility_shows_inline_errors(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(
        reverse("assessments:evidence_create", args=[assessment.pk]),
        {"summary": "Something", "credibility": "enormous", "relevance": "high", "type": "report"},
        **HTMX,
    )
    assert "Select a valid choice" in response.content.decode()
    assert assessment.evidence.count() == 5


def test_adding_evidence_inline_gives_it_the_next_key_and_bumps_the_version(client, analyst, assessment):
    client.force_login(analyst)
    before = assessment.content_version
    client.post(
        reverse("assessments:evidence_create", args=[assessment.pk]),
        {"summary": "Fresh report", "credibility": "high", "relevance": "high", "type": "report", "source": "Wire"},
        **HTMX,
    )
    evidence = Evidence.objects.get(summary="Fresh report")
    assessment.refresh_from_db()
    assert evidence.key == "E6" and evidence.added_by == analyst
    assert assessment.content_version == before + 1


def test_editing_evidence_inline_saves_the_change(client, analyst, assessment):
    client.force_login(analyst)
    evidence = assessment.evidence.first()
    client.post(
        reverse("assessments:evidence_edit", args=[assessment.pk, evidence.pk]),
        {"summary": "Edited", "credibility": "low", "relevance": "high", "type": "fact", "version": 1},
        **HTMX,
    )
    evidence.refresh_from_db()
    assert (evidence.summary, evidence.credibility, evidence.type) == ("Edited", "low", "fact")


def test_moving_evidence_down_swaps_its_order(client, analyst, assessment):
    client.force_login(analyst)
    first, second = list(assessment.evidence.order_by("order"))[:2]
    client.post(reverse("assessments:evidence_move", args=[assessment.pk, first.pk]), {"direction": "down"}, **HTMX)
    assert list(assessment.evidence.order_by("order").values_list("pk", flat=True))[:2] == [second.pk, first.pk]


def test_moving_a_hypothesis_left_swaps_its_order(client, analyst, assessment):
    client.force_login(analyst)
    h1, h2, _ = list(assessment.hypotheses.order_by("order"))
    client.post(reverse("assessments:hypothesis_move", args=[assessment.pk, h2.pk]), {"direction": "up"}, **HTMX)
    assert list(assessment.hypotheses.order_by("order").values_list("key", flat=True)) == ["H2", "H1", "H3"]


def test_deleting_a_hypothesis_removes_its_ratings(client, analyst, assessment):
    evidence, hypotheses = _cells(assessment)
    rating_set(
        assessment=assessment, analyst=analyst, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="C"
    )
    client.force_login(analyst)
    client.post(reverse("assessments:hypothesis_delete", args=[assessment.pk, hypotheses[0].pk]), **HTMX)
    assert not Hypothesis.objects.filter(pk=hypotheses[0].pk).exists()
    assert not Rating.objects.exists()


@pytest.mark.parametrize("kind", ["hypothesis", "evidence"])
def test_the_edit_form_posts_back_to_its_own_kind(client, analyst, assessment, kind):
    item = (assessment.hypotheses if kind == "hypothesis" else assessment.evidence).first()
    client.force_login(analyst)
    url = reverse(f"assessments:{kind}_edit", args=[assessment.pk, item.pk])
    body = client.get(url, **HTMX).content.decode()
    assert f'hx-post="{url}"' in body and item.key in body
    assert ("Delete " + item.key in body) is (kind == "evidence")


def test_a_full_page_post_redirects_to_the_assessments_front_page(client, analyst, assessment):
    client.force_login(analyst)
    response = client.post(reverse("assessments:hypothesis_create", args=[assessment.pk]), {"statement": "Plain"})
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    assert assessment.hypotheses.filter(statement="Plain").exists()


def test_evidence_added_and_edited_inline_keeps_its_origin_and_the_row_shows_it(client, analyst, assessment):
    client.force_login(analyst)
    fields = {"summary": "Second-hand report", "credibility": "medium", "relevance": "high", "type": "report"}
    body = client.post(
        reverse("assessments:evidence_create", args=[assessment.pk]), {**fields, "origin": "Informant <A>"}, **HTMX
    ).content.decode()
    evidence = Evidence.objects.get(summary="Second-hand report")
    assert evidence.origin == "Informant <A>"
    assert 'id="evidence-form"' in body and "Informant" not in body
    row = _matrix_region(client, assessment)
    assert "origin Informant &lt;A&gt;" in row and "Informant <A>" not in row
    edit_url = reverse("assessments:evidence_edit", args=[assessment.pk, evidence.pk])
    assert 'name="origin"' in client.get(edit_url, **HTMX).content.decode()
    client.post(edit_url, {**fields, "origin": "Informant B", "version": 1}, **HTMX)
    evidence.refresh_from_db()
    assert evidence.origin == "Informant B"

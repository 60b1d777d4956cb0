"""The API's duplicates: mark an item a duplicate (analysts), clear the mark, merge (team admins)."""

import pytest
from django.urls import reverse

from apps.ach.services import rating_set
from apps.assessments.models import DuplicateMark, Evidence, Hypothesis
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _merge(api, assessment, kind, key, into, version=1, into_version=1):
    route = "api:evidence-merge" if kind == "evidence" else "api:hypothesis-merge"
    return api.post(
        reverse(route, args=[assessment.pk, key]),
        {"into": into, "version": version, "into_version": into_version},
        format="json",
    )


def test_an_analyst_marks_and_unmarks_a_duplicate(api, assessment):
    url = reverse("api:evidence-duplicate", args=[assessment.pk, "E2"])
    response = api.post(url, {"of": "E1", "note": "Same wire story"}, format="json")
    assert response.status_code == 201
    assert response.json() | {"marked_at": None} == {
        "key": "E2",
        "of": "E1",
        "note": "Same wire story",
        "marked_by": "alice",
        "marked_at": None,
    }
    assert api.delete(url).status_code == 204 and not DuplicateMark.objects.exists()


def test_a_mark_naming_no_item_or_itself_is_a_400(api, assessment):
    url = reverse("api:hypothesis-duplicate", args=[assessment.pk, "H2"])
    assert api.post(url, {"of": "H9"}, format="json").json() == {"of": ["No item with key H9."]}
    assert api.post(url, {"of": "H2"}, format="json").status_code == 400
    assert api.post(url, {"of": "H1", "reason": "x"}, format="json").status_code == 400


def test_a_team_admin_merges_evidence_and_gets_the_kept_item(team_admin, analyst, assessment):
    rating_set(
        assessment=assessment,
        analyst=analyst,
        evidence_id=assessment.evidence.get(key="E2").pk,
        hypothesis_id=assessment.hypotheses.get(key="H1").pk,
        label="C",
    )
    response = _merge(client_for(team_admin), assessment, "evidence", "E2", "E1")
    assert response.status_code == 200
    body = response.json()
    assert (body["key"], body["version"]) == ("E1", 2)
    assert "ratings" not in body
    assert not Evidence.objects.filter(assessment=assessment, key="E2").exists()


def test_a_team_admin_merges_hypotheses(team_admin, assessment):
    assert _merge(client_for(team_admin), assessment, "hypothesis", "H3", "H1").status_code == 200
    assert list(Hypothesis.objects.filter(assessment=assessment).values_list("key", flat=True)) == ["H1", "H2"]


def test_an_analyst_cannot_merge(api, assessment):
    assert _merge(api, assessment, "evidence", "E2", "E1").status_code == 403
    assert Evidence.objects.filter(assessment=assessment, key="E2").exists()


def test_a_stale_version_is_a_409_naming_the_item(team_admin, assessment):
    response = _merge(client_for(team_admin), assessment, "evidence", "E2", "E1", into_version=7)
    assert response.status_code == 409 and response.json()["key"] == "E1" and response.json()["version"] == 1
    assert Evidence.objects.filter(assessment=assessment, key="E2").exists()


def test_outsider_gets_404(outsider, assessment):
    outsider_api = client_for(outsider)
    assert _merge(outsider_api, assessment, "evidence", "E2", "E1").status_code == 404
    mark = outsider_api.post(reverse("api:evidence-duplicate", args=[assessment.pk, "E2"]), {"of": "E1"}, format="json")
    assert mark.status_code == 404


def test_the_schema_documents_the_new_endpoints(client, analyst):
    client.force_login(analyst)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    merge = paths["/api/v1/assessments/{assessment_pk}/evidence/{key}/merge/"]["post"]
    assert merge["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MergeInputRequest")
    assert set(merge["responses"]) >= {"200", "409"}
    assert {"post", "delete"} <= set(paths["/api/v1/assessments/{assessment_pk}/hypotheses/{key}/duplicate/"])

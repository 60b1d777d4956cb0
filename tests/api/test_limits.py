"""The API's request limits: the strict JSON loader, shared rate-limit counters, documentation for members only."""

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def evidence_url(assessment) -> str:
    return reverse("api:evidence-list", kwargs={"assessment_pk": assessment.pk})


def test_a_body_nested_a_thousand_deep_is_a_400_with_a_reason(api, world):
    body = "[" * 1000 + "]" * 1000
    response = api.generic("POST", evidence_url(world), body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]
    assert world.evidence.count() == 5


def test_a_body_with_a_key_twice_is_a_400_naming_the_key(api, world):
    body = '{"summary": "first", "summary": "second"}'
    response = api.generic("POST", evidence_url(world), body, content_type="application/json")
    assert response.status_code == 400
    assert "'summary' appears twice" in response.json()["detail"]
    assert world.evidence.count() == 5


@pytest.mark.parametrize("body", ['{"summary": NaN}', b'{"summary": "\xff"}', '{"summary": "a\\u0000b"}'])
def test_nan_bad_utf8_and_nul_are_refused_with_400(api, world, body):
    response = api.generic("POST", evidence_url(world), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"].startswith("JSON parse error")
    assert world.evidence.count() == 5


def test_a_good_body_still_parses(api, world):
    body = json.dumps({"summary": "Courier intercepted near Gao"})
    assert api.generic("POST", evidence_url(world), body, content_type="application/json").status_code == 201

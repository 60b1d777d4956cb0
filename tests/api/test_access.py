"""Every API endpoint × anonymous / outsider / analyst / supervisor / read-only token / approved assessment.

The endpoints are enumerated from the router, so a new one is covered (or fails here for want of a
sample URL or body) the moment it is registered.
"""

import pytest
from django.urls import reverse

from apps.api.urls import router
from apps.assessments.models import Assessment

from .conftest import client_for

pytestmark = pytest.mark.django_db

SAFE = {"get", "head", "options"}
# The key of an item of each kind that the `world` fixture creates.
SAMPLE_KEYS = {"evidence": "E1", "hypothesis": "H1", "assumption": "A1", "indicator": "IND1"}
# A valid body for every write; a new write endpoint fails test_every_write_endpoint_has_a_sample_body.
BODIES = {
    ("assessment-list", "post"): {"title": "Gao courier network", "question": "Who runs the couriers?"},
    ("hypothesis-list", "post"): {"statement": "A fourth explanation"},
    ("evidence-list", "post"): {"summary": "Courier intercepted near Gao", "source": "feed"},
    ("evidence-batch", "post"): {"items": [{"summary": "One"}, {"summary": "Two", "credibility": "high"}]},
    ("evidence-detail", "patch"): {"version": 1, "summary": "Edited"},
    ("rating-list", "post"): {"ratings": [{"evidence": "E1", "hypothesis": "H1", "value": "CC"}]},
    ("indicator-observations", "post"): {"status": "emerging", "source": "Field report"},
    ("evidence-duplicate", "post"): {"of": "E2", "note": "Same wire story"},
    ("evidence-duplicate", "delete"): None,
    ("evidence-merge", "post"): {"into": "E2", "version": 1, "into_version": 1},
    ("hypothesis-duplicate", "post"): {"of": "H2"},
    ("hypothesis-duplicate", "delete"): None,
    ("hypothesis-merge", "post"): {"into": "H2", "version": 1, "into_version": 1},
}
# An analyst's answer where it is not 201 (a POST) or 200: clearing a mark is 204; merging is a team admin's.
ANALYST_STATUS = {
    **{(f"{kind}-duplicate", "delete"): 204 for kind in ("evidence", "hypothesis")},
    **{(f"{kind}-merge", "post"): 403 for kind in ("evidence", "hypothesis")},
}


def _endpoints() -> list[tuple[str, str]]:
    found = []
    for pattern in router.urls:
        for method in pattern.callback.actions:
            found.append((pattern.name, method))
    return sorted(found)


ENDPOINTS = _endpoints()


def _url(name: str, assessment: Assessment) -> str:
    basename = name.rsplit("-", 1)[0]
    kwargs = {}
    for group in router.urls[[p.name for p in router.urls].index(name)].pattern.regex.groupindex:
        if group in ("assessment_pk", "pk"):
            kwargs[group] = assessment.pk
        elif group == "key":
            kwargs[group] = SAMPLE_KEYS[basename]
        elif group == "version":
            kwargs[group] = assessment.snapshots.order_by("-version").first().version
        else:
            raise AssertionError(f"No sample value for URL argument {group} of {name}")
    return reverse(f"api:{name}", kwargs=kwargs)


def _call(client, name: str, method: str, assessment: Assessment):
    body = BODIES.get((name, method))
    return getattr(client, method)(_url(name, assessment), body, format="json")


def test_the_router_lists_every_endpoint_of_the_issue():
    names = {name for name, _ in ENDPOINTS}
    assert {
        "assessment-list",
        "assessment-detail",
        "hypothesis-list",
        "hypothesis-detail",
        "evidence-list",
        "evidence-detail",
        "evidence-batch",
        "rating-list",
        "rating-team",
        "snapshot-list",
        "snapshot-detail",
        "snapshot-latest",
        "assumption-list",
        "assumption-detail",
        "indicator-list",
        "indicator-detail",
        "indicator-observations",
    } <= names


def test_every_write_endpoint_has_a_sample_body():
    writes = {(name, method) for name, method in ENDPOINTS if method not in SAFE}
    assert writes == set(BODIES)


@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_anonymous_gets_401(name, method, world):
    response = _call(client_for(None), name, method, world)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_outsider_gets_404_and_nothing_changes(name, method, world, outsider):
    version = world.content_version
    response = _call(client_for(outsider), name, method, world)
    if name == "assessment-list" and method == "get":
        assert response.status_code == 200
        assert world.pk not in [item["id"] for item in response.json()["results"]]
    elif name == "assessment-list":
        # A new assessment, in the outsider's own team.
        assert response.status_code == 201 and response.json()["team"] != world.team.name
    else:
        assert response.status_code == 404
    world.refresh_from_db()
    assert world.content_version == version


@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_analyst_may_read_and_write(name, method, world, analyst):
    response = _call(client_for(analyst), name, method, world)
    expected = ANALYST_STATUS.get((name, method), 201 if method == "post" and name != "rating-list" else 200)
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_supervisor_reads_but_gets_403_on_writes(name, method, world, supervisor):
    version = world.content_version
    response = _call(client_for(supervisor), name, method, world)
    if method in SAFE:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "cannot edit" in response.json()["detail"]
        world.refresh_from_db()
        assert world.content_version == version


@pytest.mark.parametrize(("name", "method"), ENDPOINTS)
def test_read_only_token_reads_but_gets_403_on_writes(name, method, world, analyst):
    version = world.content_version
    response = _call(client_for(analyst, read_only=True), name, method, world)
    if method in SAFE:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == "This API token is read-only."
        world.refresh_from_db()
        assert world.content_version == version


@pytest.mark.parametrize(("name", "method"), [(n, m) for n, m in ENDPOINTS if m not in SAFE and n != "assessment-list"])
def test_an_approved_assessment_refuses_writes_with_409(name, method, world, analyst):
    Assessment.objects.filter(pk=world.pk).update(status=Assessment.Status.APPROVED)
    version = world.content_version
    response = _call(client_for(analyst), name, method, world)
    assert response.status_code == 409
    assert "approved" in response.json()["detail"]
    world.refresh_from_db()
    assert world.content_version == version

"""The handling marking travels with every representation of a marked assessment, as on its pages and exports."""

import pytest
from django.urls import reverse

from apps.api.urls import router
from apps.assessments.models import Marking
from apps.assessments.services import assessment_marking_set

from .test_access import SAMPLE_KEYS

pytestmark = pytest.mark.django_db


def _reads(assessment) -> list[str]:
    urls = []
    for pattern in router.urls:
        if "get" not in pattern.callback.actions or "format" in pattern.pattern.regex.pattern:
            continue
        kwargs = {"assessment_pk": assessment.pk} if "assessment_pk" in pattern.pattern.regex.pattern else {}
        if "(?P<pk>" in pattern.pattern.regex.pattern:
            kwargs["pk"] = assessment.pk
        if "(?P<key>" in pattern.pattern.regex.pattern:
            kwargs["key"] = SAMPLE_KEYS[pattern.name.split("-")[0]]
        if "(?P<version>" in pattern.pattern.regex.pattern:
            kwargs["version"] = assessment.content_version
        urls.append(reverse(f"api:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.fixture
def marked(world, analyst):
    marking = Marking.objects.create(name="OFFICIAL-SENSITIVE")
    assessment_marking_set(assessment=world, user=analyst, marking=marking)
    world.refresh_from_db()
    return world


def test_every_read_of_a_marked_assessment_carries_its_marking(api, marked):
    urls = [u for u in _reads(marked) if u != reverse("api:assessment-list")]
    assert len(urls) >= 10
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        assert response["Handling-Marking"] == "OFFICIAL-SENSITIVE", url


def test_the_assessment_itself_names_its_marking(api, marked):
    detail = api.get(reverse("api:assessment-detail", kwargs={"pk": marked.pk})).json()
    assert detail["marking"] == "OFFICIAL-SENSITIVE"
    listing = api.get(reverse("api:assessment-list")).json()
    assert [a["marking"] for a in listing["results"]] == ["OFFICIAL-SENSITIVE"]


def test_a_write_answer_carries_the_marking(api, marked):
    url = reverse("api:evidence-list", kwargs={"assessment_pk": marked.pk})
    response = api.post(url, {"summary": "Courier intercepted near Gao"}, format="json")
    assert response.status_code == 201 and response["Handling-Marking"] == "OFFICIAL-SENSITIVE"


def test_an_unmarked_assessment_says_so(api, world):
    assert api.get(reverse("api:assessment-detail", kwargs={"pk": world.pk})).json()["marking"] is None
    assert "Handling-Marking" not in api.get(reverse("api:hypothesis-list", kwargs={"assessment_pk": world.pk}))

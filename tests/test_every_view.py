"""Every view that takes an assessment, walked from the URL resolver, for every persona.

An outsider (another team's analyst) gets 404 from every view, read or write, and changes nothing. The
team's analyst, supervisor and team admin each get, from every page, the one answer named below: 200
unless ANSWERS says otherwise (405 from a view that only takes POST, 403 where the role may not go). A new
view is walked the day it is added; one that should answer otherwise is added to ANSWERS with its reason.
"""

import pytest
from django.urls import reverse

from apps.assessments import services
from tests.assessments.test_freeze import (
    HTMX,
    PAYLOAD,
    POST_ONLY,
    assessment_patterns,
    database_state,
    ids_for,
    rows_fill,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("analyst", "supervisor", "team_admin")
# (view, persona) -> the answer to a GET when it is not 200.
ANSWERS: dict[tuple[str, str], int] = {
    # An analyst with rows left to rate sees no team figures of an earlier version (the anchoring rule).
    ("ach:as_of", "analyst"): 403,
    ("ach:version_diff", "analyst"): 403,
    # The review board is the supervisors' (and team admins').
    ("reviews:board", "analyst"): 403,
    # Editing forms: a supervisor reviews, she does not edit.
    **{
        (name, "supervisor"): 403
        for name in (
            "ach:priors",
            "ach:reliability",
            "assessments:evidence_edit",
            "assessments:evidence_import",
            "assessments:hypothesis_edit",
            "indicators:edit",
            "key_assumptions:assumption_edit",
            "key_assumptions:recheck",
            "key_assumptions:requirement_create",
        )
    },
    # Its pk is an upload's, which only the uploader sees: none of these uploaded one.
    **{("assessments:upload_progress", persona): 404 for persona in PERSONAS},
}


@pytest.fixture
def team_admin(team):
    from tests import factories

    return factories.member(team, "team_admin", username="tess")


@pytest.fixture
def walked(assessment, analyst, teammate, team_admin):
    """A draft with every kind of row a URL can name, scored at its current version."""
    rows_fill(assessment, analyst, team_admin)
    services.snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    return assessment


def _urls(assessment):
    return [(name, reverse(name, kwargs=ids_for(assessment, name, pattern))) for name, pattern in assessment_patterns()]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_member_gets_the_named_answer_from_every_view(client, walked, request, persona):
    client.force_login(request.getfixturevalue(persona))
    answered = {name: client.get(url).status_code for name, url in _urls(walked)}
    expected = {name: 405 if name in POST_ONLY else ANSWERS.get((name, persona), 200) for name in answered}
    assert answered == expected


def test_an_outsider_gets_404_from_every_view_read_or_write_and_changes_nothing(client, walked, outsider):
    client.force_login(outsider)
    before = database_state()
    # Each view asked the way it answers (a POST, with a payload most forms would accept, where it only takes
    # one, else a GET), plainly and from htmx.
    answered = {
        (name, bool(headers)): (
            client.post(url, PAYLOAD, **headers) if name in POST_ONLY else client.get(url, **headers)
        ).status_code
        for name, url in _urls(walked)
        for headers in ({}, HTMX)
    }
    assert answered == dict.fromkeys(answered, 404)
    assert database_state() == before

"""Content-Security-Policy on every page and no caching of anything a signed-in user sees."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_every_page_carries_a_csp_allowing_only_our_own_scripts_and_styles(client, analyst):
    for response in (client.get(reverse("accounts:login")), client.force_login(analyst) or client.get("/")):
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("style-src-attr")[0]


def test_pages_have_no_inline_script_or_event_handler_and_turn_off_htmx_indicator_styles(client, analyst, team):
    other = factories.TeamFactory(name="Second team")
    factories.member(other, "analyst", username=analyst.username)
    assessment = factories.assessment_with_matrix(team=team, user=analyst)
    client.force_login(analyst)
    for url in (
        "/",
        reverse("ach:matrix", args=[assessment.pk]),
        reverse("key_assumptions:check", args=[assessment.pk]),
    ):
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=", page), url
        assert '"includeIndicatorStyles": false' in page
    assert 'id="team-select"' in page


def test_signed_in_pages_and_exports_are_private_and_not_stored(client, analyst, team):
    assessment = factories.assessment_with_matrix(team=team, user=analyst)
    client.force_login(analyst)
    for url in ("/", reverse("ach:matrix", args=[assessment.pk]), reverse("ach:export", args=[assessment.pk, "csv"])):
        cache_control = {part.strip() for part in client.get(url)["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, url

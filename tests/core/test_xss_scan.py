"""No URL reflects hostile path segments, query parameters or form fields unescaped."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

pytestmark = pytest.mark.django_db

PAYLOADS = ["<img src=x onerror=alert(document.domain)>", "<script>alert(1)</script>"]
MARKERS = ["<img src=x onerror=", "<script>alert"]
FIELDS = [
    "value",
    "note",
    "evidence",
    "hypothesis",
    "statement",
    "summary",
    "comment",
    "action",
    "view",
    "sort",
    "likelihood",
    "reviewed_on",
    "date",
    "status",
    "shown",
    "next",
    "q",
    "team",
    "relation",
    "confidence",
]


def _routes(patterns=None, prefix=""):
    """Every URL pattern as (regex source, converters) with the resolver's prefixes joined."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if "admin" in route:
                continue  # Django's own admin; its escaping is Django's
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route: str, pk: int, segment: str) -> str:
    """Ints become our assessment (or a missing id); every other converter gets the hostile segment."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<int:pk>", str(pk), route)
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:\w+:)?\w+>", segment, route)
    return "/" + route


def _hostile_urls(pk: int):
    for route in _routes():
        for payload in PAYLOADS:
            yield _fill(route, pk, payload)
            yield _fill(route, pk, "x") + payload
            yield _fill(route, pk, "x") + "?" + "&".join(f"{f}={payload}" for f in FIELDS)


def _assert_escaped(response, url):
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    if content_type.startswith("text/html") or not content_type:
        for marker in MARKERS:
            assert marker not in body, f"{url} ({response.status_code}) echoes {marker!r} unescaped"


def test_no_url_reflects_a_hostile_path_or_query_to_anyone(client, team, analyst):
    assessment = factories.assessment_with_matrix(team=team, user=analyst)
    urls = sorted(set(_hostile_urls(assessment.pk)))
    assert len(urls) > 100
    for url in urls:
        _assert_escaped(client.get(url), url)
    client.force_login(analyst)
    for url in urls:
        _assert_escaped(client.get(url), url)


def test_no_url_reflects_hostile_form_fields_to_a_member(client, team, analyst):
    assessment = factories.assessment_with_matrix(team=team, user=analyst)
    client.force_login(analyst)
    for route in _routes():
        url = _fill(route, assessment.pk, "json")
        for payload in PAYLOADS:
            response = client.post(url, {f: payload for f in FIELDS}, HTTP_HX_REQUEST="true")
            _assert_escaped(response, url)

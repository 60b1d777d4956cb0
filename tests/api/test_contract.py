"""Schemathesis fuzzes every operation of /api/schema/ in-process (WSGI) as a team analyst.

Bounded (a few examples per operation) so it stays part of `make test`; it asserts no 5xx and that every
response matches the schema. Path ids point at the analyst's own assessment so requests get past the 404.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from config.wsgi import application

from .conftest import client_for


def _served_schema() -> dict:
    # The schema as /api/schema/ serves it to a signed-in user (it answers nobody else).
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = application
SAMPLE_KEYS = {"evidence": "E1", "hypotheses": "H1", "key-assumptions": "A1", "indicators": "IND1"}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # As Django's test client does: the real WSGI handler would close the connection that holds the
    # test's transaction at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, analyst, settings):
    settings.API_THROTTLE_RATES = {"api": None, "api_write": None}
    client = client_for(analyst)
    return client._credentials["HTTP_AUTHORIZATION"]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_honours_its_schema(case, token, world):
    if "assessment_pk" in case.path_parameters:
        case.path_parameters["assessment_pk"] = world.pk
    if case.path_parameters.get("id") is not None:
        case.path_parameters["id"] = world.pk
    for segment, key in SAMPLE_KEYS.items():
        if f"/{segment}/{{key}}/" in case.path and not str(case.path_parameters.get("key", "")).isalnum():
            case.path_parameters["key"] = key
    case.call_and_validate(
        headers={"Authorization": token},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )

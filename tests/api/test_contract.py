"""Schemathesis fuzzes every operation of /api/schema/ in-process (WSGI) as a team analyst.

Bounded (a few examples per operation) so it stays part of `make test`; it asserts no 5xx and that every
response matches the schema. Path ids point at the analyst's own assessment so requests get past the 404.
"""

import datetime
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from config.wsgi import application

from .conftest import client_for


def _served_schema() -> dict:
    # The schema as /api/schema/ serves it to a signed-in user (it answers nobody else).
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


load_all_checks()
# Every check schemathesis has (`--checks all`), those that judge one response at a time.
ALL_CHECKS = [check for check in CHECKS.get_all() if not isinstance(check, type)]

schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = application
# The strict JSON loader refuses NUL anywhere in a body (PostgreSQL cannot store it), with a 400 that says so;
# JSON Schema has no plain way to state that of every string, so the generator leaves NUL out.
schema.config.generation.update(allow_x00=False)
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
    # A valid case is pointed at the analyst's own assessment and items; an invalid one is sent as generated
    # (which part was made invalid is not reliably recorded, and any repair could undo it).
    if case.meta is None or not case.meta.generation.mode.is_negative:
        for name in ("assessment_pk", "id"):
            if name in case.path_parameters:
                case.path_parameters[name] = world.pk
        for segment, key in SAMPLE_KEYS.items():
            if f"/{segment}/{{key}}/" in case.path:
                case.path_parameters["key"] = key
        if isinstance(case.body, dict):
            _refer_to_what_exists(case.body)
            # A duplicate mark or a merge names another item of the path's kind.
            for name in ("of", "into"):
                if isinstance(case.body.get(name), str):
                    case.body[name] = "H2" if "/hypotheses/" in case.path else "E2"
        query = case.query or {}
        if query.get("date_after") and query.get("date_before") and query["date_after"] > query["date_before"]:
            query["date_after"], query["date_before"] = query["date_before"], query["date_after"]
    case.call_and_validate(headers={"Authorization": token}, checks=ALL_CHECKS)


def _refer_to_what_exists(body: dict) -> None:
    """A valid body names items that exist and dates that have passed, as a real client's would.

    The schema cannot say which keys this assessment holds, or what today is; the server answers 400 to
    a reference to a missing item, a cell listed twice, a future observation or dates out of order.
    """
    if isinstance(body.get("ratings"), list):
        # One item per cell: the world's matrix has 5 × 3 of them.
        del body["ratings"][15:]
    for position, item in enumerate(body.get("ratings") or []):
        if isinstance(item, dict):
            item["evidence"], item["hypothesis"] = f"E{position % 5 + 1}", f"H{position // 5 % 3 + 1}"
    if isinstance(body.get("evidence"), str):
        body["evidence"] = "E1"
    if isinstance(body.get("date"), str) and body["date"] > datetime.date.today().isoformat():
        body["date"] = datetime.date.today().isoformat()

"""/metrics: Prometheus text for the configured addresses or the token holder, refused to anyone else."""

import ipaddress

import pytest
from django.urls import reverse
from prometheus_client import REGISTRY

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.9"


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_an_anonymous_outside_address_is_refused(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 403
    assert b"satwb_" not in response.content


def test_an_outside_client_relayed_by_a_local_proxy_is_refused(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", headers={"X-Forwarded-For": OUTSIDE})
    assert response.status_code == 403


def test_a_configured_address_reads_the_named_metrics(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    body = response.content.decode()
    for name in (
        "satwb_rescoring_latency_seconds",
        "satwb_snapshot_compute_seconds",
        "satwb_login_failures_total",
        "satwb_queue_depth",
        "django_http_requests_latency_seconds_by_view_method",
    ):
        assert f"# TYPE {name}" in body or f"# HELP {name}" in body, name


def test_the_token_opens_metrics_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-123"
    good = client.get("/metrics", REMOTE_ADDR=OUTSIDE, headers={"Authorization": "Bearer scrape-secret-123"})
    wrong = client.get("/metrics", REMOTE_ADDR=OUTSIDE, headers={"Authorization": "Bearer guessed"})
    assert good.status_code == 200
    assert wrong.status_code == 403


def test_a_failed_sign_in_counts_as_a_login_failure(client, analyst):
    before = _sample("satwb_login_failures_total")
    client.post(reverse("accounts:login"), {"username": "alice", "password": "not-her-password"})
    assert _sample("satwb_login_failures_total") == before + 1


def test_a_rating_records_the_rescoring_latency_and_each_techniques_compute_time(
    client, analyst, assessment, django_capture_on_commit_callbacks
):
    latency_before = _sample("satwb_rescoring_latency_seconds_count")
    ach_before = _sample("satwb_snapshot_compute_seconds_count", technique="ach")
    client.force_login(analyst)
    evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.last()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ach:cell_set", args=[assessment.pk]),
            {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "value": "II", "view": "mine"},
        )
    assert _sample("satwb_rescoring_latency_seconds_count") == latency_before + 1
    assert _sample("satwb_snapshot_compute_seconds_count", technique="ach") == ach_before + 1


def test_a_malformed_allowed_network_stops_start_up():
    from tests.test_settings_and_health import _run_manage

    result = _run_manage(
        "check",
        METRICS_ALLOWED_NETWORKS="10.0.0.0/8,not-an-address",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-key-" + "k7Qz9" * 10,
        ALLOWED_HOSTS="sat.example.org",
    )
    assert result.returncode != 0
    assert "METRICS_ALLOWED_NETWORKS: 'not-an-address' is not an address or network" in result.stderr


def test_the_response_carries_a_request_id_and_keeps_a_sane_one_given(client):
    made = client.get("/healthz")
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-4f2a.9"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert len(made["X-Request-ID"]) == 32
    assert kept["X-Request-ID"] == "lb-4f2a.9"
    assert replaced["X-Request-ID"] not in ("<script>", "")

"""Two web nodes and two workers behind HAProxy (ops/cluster.py) behave as one application."""

import os
import re

import pytest
import redis
import requests
from django.db import connection

from ops.cluster import Cluster
from tests import factories

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "cluster-pw-4471"
API_RATE = 6


@pytest.fixture
def cluster(require_postgres, require_broker, queue_name, tmp_path):
    if not os.path.exists("/usr/sbin/haproxy"):
        from tests.conftest import service_missing

        service_missing("HAProxy is not installed (apt-get install haproxy)")
    database = connection.settings_dict
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    cache = os.environ.get("CLUSTER_CACHE_URL") or re.sub(r"/\d*$", "/15", require_broker)
    running = Cluster(
        database_url=f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}",
        broker_url=require_broker,
        cache_url=cache,
        work=tmp_path,
        env={
            "CELERY_TASK_DEFAULT_QUEUE": queue_name,
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "4",
            "API_RATE": f"{API_RATE}/min",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
        },
    )
    cache_db = redis.Redis.from_url(cache)
    before = set(cache_db.keys())
    with running:
        yield running
    # The nodes' cache entries (rate-limit counters, cached fragments) go; what was there stays.
    created = set(cache_db.keys()) - before
    if created:
        cache_db.delete(*created)


@pytest.fixture
def members(team, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    alice = factories.member(team, "analyst", username="alice")
    alice.set_password(PASSWORD)
    alice.save()
    assessment = factories.assessment_with_matrix(team=team, user=alice)
    return alice, assessment


def _log_in(session: requests.Session, url: str) -> None:
    page = session.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/accounts/login/",
        data={"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:300]


def test_a_login_on_one_node_is_valid_on_the_other(cluster, members):
    node_a, node_b = cluster.node_urls
    session = requests.Session()
    _log_in(session, node_a)
    page = session.get(f"{node_b}/", timeout=30, allow_redirects=False)
    assert page.status_code == 200
    assert "Maghreb Desk" in page.text


def test_a_rating_through_node_a_appears_on_the_page_polled_through_node_b(cluster, members):
    from apps.assessments.models import ScoreSnapshot

    alice, assessment = members
    node_a, node_b = cluster.node_urls
    session = requests.Session()
    _log_in(session, node_a)
    evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.last()
    # The matrix page as node B serves it, and the token its score panel polls node B with (every 2 s).
    page = session.get(f"{node_b}/assessments/{assessment.pk}/", timeout=30).text
    panel = f"{node_b}/assessments/{assessment.pk}/panel/"
    shown = re.search(r'/panel/\?shown=([^"&]+)"', page).group(1)
    assert session.get(panel, params={"shown": shown}, timeout=30).status_code == 204
    saved = session.post(
        f"{node_a}/assessments/{assessment.pk}/cells/",
        data={"evidence": evidence.pk, "hypothesis": hypothesis.pk, "value": "II", "view": "mine"},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "HX-Request": "true", "Referer": node_a},
        timeout=30,
    )
    assert saved.status_code == 200
    # Node B's very next poll answers with the moved panel (and the scores-changed event that redraws the
    # matrix), and its matrix page holds the rating: nothing is cached per node.
    polled = session.get(panel, params={"shown": shown}, timeout=30)
    assert polled.status_code == 200
    assert "scores-changed" in polled.headers.get("HX-Trigger", "")
    cell = re.compile(rf'data-e="{evidence.pk}" data-h="{hypothesis.pk}"[^>]*>II</td>')
    assert cell.search(session.get(f"{node_b}/assessments/{assessment.pk}/", timeout=30).text)
    version = type(assessment).objects.get(pk=assessment.pk).content_version
    # A worker of the cluster scores it, and node B's panel then shows the snapshot of that version.
    wait_for(lambda: ScoreSnapshot.objects.filter(assessment=assessment, version=version).exists(), timeout=90)
    scored = session.get(panel, params={"shown": shown}, timeout=30)
    assert scored.status_code == 200
    assert f"shown={version}-{version}" in scored.text


def test_the_api_rate_limit_trips_at_the_configured_count_across_nodes(cluster, members):
    from apps.api.services import token_create

    alice, assessment = members
    _, secret = token_create(user=alice, name="cluster test")
    headers = {"Authorization": f"Bearer {secret}"}
    answers = [
        requests.get(f"{cluster.node_urls[i % 2]}/api/v1/assessments/", headers=headers, timeout=30).status_code
        for i in range(API_RATE + 1)
    ]
    assert answers[:API_RATE] == [200] * API_RATE
    assert answers[API_RATE] == 429


def test_through_the_load_balancer_health_answers_and_a_login_holds_from_node_to_node(cluster, members):
    answers = [requests.get(f"{cluster.url}/healthz", timeout=30) for _ in range(4)]
    assert {a.status_code for a in answers} == {200}
    session = requests.Session()
    _log_in(session, cluster.url)
    assert "Maghreb Desk" in session.get(f"{cluster.url}/", timeout=30).text


def test_an_upload_previewed_through_one_node_is_confirmed_through_the_other(cluster, members):
    alice, assessment = members
    node_a, node_b = cluster.node_urls
    session = requests.Session()
    _log_in(session, node_a)
    page = f"/assessments/{assessment.pk}/evidence/import/"
    session.get(f"{node_a}{page}", timeout=30)
    csrf = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{node_a}{page}"}
    csv = "summary,source,credibility,relevance\nA courier crossed the border,Field report,high,medium\n"
    preview = session.post(
        f"{node_a}{page}", files={"file": ("reports.csv", csv, "text/csv")}, headers=csrf, timeout=30
    )
    assert preview.status_code == 200
    confirm = re.search(r'name="confirm" value="(\d+)"', preview.text).group(1)
    assert not assessment.evidence.filter(summary="A courier crossed the border").exists()

    done = session.post(
        f"{node_b}{page}",
        data={"confirm": confirm},
        headers={**csrf, "Referer": f"{node_b}{page}"},
        timeout=30,
        allow_redirects=False,
    )
    assert done.status_code == 302
    assert assessment.evidence.filter(summary="A courier crossed the border", source="Field report").exists()

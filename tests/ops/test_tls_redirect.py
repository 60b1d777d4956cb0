"""With the https redirect on (DEBUG=false's default), pages redirect but health checks answer."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_plain_http_page_request_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_the_health_check_answers_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_BROKER_URL = ""  # tasks in-process: the check's answer depends on nothing outside
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"].startswith("ok")


def test_behind_a_tls_terminator_the_forwarded_https_request_is_served(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200

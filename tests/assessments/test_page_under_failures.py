"""The page under failures: an expired session, a refused htmx request, a broker that is down."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from apps.assessments.models import Assessment, RescoreQueue

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_an_htmx_request_with_an_expired_session_is_redirected_to_the_login_page(client, assessment):
    page = f"http://testserver{assessment.get_absolute_url()}?view=team"
    response = client.get(reverse("ach:panel", args=[assessment.pk]), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert response.status_code == 200
    assert response.content == b""  # nothing to swap into the matrix
    login = reverse("accounts:login")
    assert response["HX-Redirect"] == f"{login}?next=%2Fassessments%2F{assessment.pk}%2F%3Fview%3Dteam"


def test_an_htmx_post_with_an_expired_session_is_redirected_too(client, assessment):
    response = client.post(reverse("assessments:hypothesis_create", args=[assessment.pk]), {"statement": "x"}, **HTMX)
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
    assert not assessment.hypotheses.filter(statement="x").exists()


def test_a_plain_request_with_an_expired_session_still_gets_the_normal_redirect(client, assessment):
    response = client.get(assessment.get_absolute_url())
    assert response.status_code == 302 and "HX-Redirect" not in response


def test_a_refusal_names_its_reason_in_a_marked_element_for_the_toast(client, assessment, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("assessments:hypothesis_create", args=[assessment.pk]), {"statement": "x"}, **HTMX)
    assert response.status_code == 403
    assert "data-error-message>Your role in this team cannot edit assessments." in response.content.decode()


def test_a_page_runs_no_inline_script_and_loads_the_one_that_shows_the_toasts(client, assessment, analyst):
    # What the toast does in Chromium (a refused rating names its reason): tests/browser/test_failures.py.
    client.force_login(analyst)
    html = client.get(assessment.get_absolute_url()).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    code = [(attributes, body) for attributes, body in scripts if "application/json" not in attributes]
    assert code and all("src=" in attributes and not body.strip() for attributes, body in code)
    workbench = next(attributes for attributes, _ in code if "workbench" in attributes)
    # Served from the static files (by WhiteNoise or the web server, not by Django's test client).
    source = re.search(r'src="([^"]+)"', workbench).group(1).split("?")[0]
    path = finders.find(source.removeprefix(settings.STATIC_URL))
    assert path and "toast" in Path(path).read_text(encoding="utf-8")


def _stale(assessment, *, queued: bool, queued_at=None):
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    Assessment.objects.filter(pk=assessment.pk).update(content_version=99, updated_at=long_ago)
    RescoreQueue.objects.filter(assessment=assessment).update(queued=queued, queued_at=queued_at)


def test_while_the_broker_is_down_the_panel_says_scoring_is_delayed_and_the_input_saved(client, assessment, analyst):
    _stale(assessment, queued=False)  # what rescore_request leaves when the enqueue fails
    client.force_login(analyst)
    body = client.get(reverse("ach:panel", args=[assessment.pk]), **HTMX).content.decode()
    assert "Scoring is delayed." in body and "Your input is saved" in body
    board = client.get(reverse("indicators:board", args=[assessment.pk])).content.decode()
    assert "Scoring is delayed." in board


def test_a_task_queued_long_ago_with_no_worker_is_delayed_too(client, assessment, analyst):
    _stale(assessment, queued=True, queued_at=timezone.now() - datetime.timedelta(minutes=3))
    client.force_login(analyst)
    assert "Scoring is delayed." in client.get(reverse("ach:panel", args=[assessment.pk]), **HTMX).content.decode()


def test_a_fresh_change_is_only_pending(client, assessment, analyst):
    Assessment.objects.filter(pk=assessment.pk).update(content_version=99, updated_at=timezone.now())
    RescoreQueue.objects.filter(assessment=assessment).update(queued=True, queued_at=timezone.now())
    client.force_login(analyst)
    body = client.get(reverse("ach:panel", args=[assessment.pk]), **HTMX).content.decode()
    assert "Rescoring pending" in body and "delayed" not in body


def test_a_claim_overdue_by_the_grace_period_is_delayed_measured_from_the_claim(client, assessment, analyst):
    # The save was long ago, but the rescoring it needs was requested 15 s ago and has not run: overdue.
    _stale(assessment, queued=True, queued_at=timezone.now() - datetime.timedelta(seconds=15))
    client.force_login(analyst)
    assert "Scoring is delayed." in client.get(reverse("ach:panel", args=[assessment.pk]), **HTMX).content.decode()


def test_a_claim_just_taken_after_an_old_save_is_only_pending(client, assessment, analyst):
    _stale(assessment, queued=True, queued_at=timezone.now())
    client.force_login(analyst)
    body = client.get(reverse("ach:panel", args=[assessment.pk]), **HTMX).content.decode()
    assert "Rescoring pending" in body and "delayed" not in body

"""A large upload-page load through a real Redis broker and a real Celery worker, polled to the end."""

import copy
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assessments.models import Assessment, PendingImport
from tests import factories
from tests.conftest import login

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AQIM = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())


def test_a_large_upload_loads_in_the_worker_and_the_progress_partial_stops_polling(
    celery_worker_thread, client, team, settings
):
    settings.UPLOAD_TASK_THRESHOLD = 100
    login(client, factories.member(team, "team_admin", username="tess"))
    data = {**copy.deepcopy(AQIM), "id": "aqim"}
    upload = SimpleUploadedFile("aqim.json", json.dumps(data).encode(), content_type="application/json")
    preview = client.post(reverse("assessments:upload"), {"file": upload, "team": team.pk, "create_analysts": "1"})
    token = re.search(r'name="confirm" value="([^"]+)"', preview.content.decode()).group(1)
    response = client.post(reverse("assessments:upload"), {"confirm": token})
    assert response["Location"] == reverse("assessments:upload_progress", args=[token])
    wait_for(lambda: PendingImport.objects.get(pk=token).finished, timeout=60)
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assessment = Assessment.objects.get(team=team, slug="aqim")
    assert partial.status_code == 286 and reverse("ach:matrix", args=[assessment.pk]) in partial.content.decode()
    assert assessment.evidence.count() == 53

"""A future as-of date is refused at every door that sets one (the New assessment form, the board's as-of
control, a JSON import, a file load by id, the API), with a message naming the date, and nothing changes."""

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.assessments.exchange import AssessmentFileError, assessment_import, assessment_load
from apps.assessments.models import Assessment
from tests import factories
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

AQIM = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def _file(as_of: str, **fields) -> dict:
    return {**copy.deepcopy(AQIM), "as_of": as_of, **fields}


def test_the_new_assessment_form_refuses_a_future_as_of_date_and_creates_nothing(client, analyst):
    client.force_login(analyst)
    body = {"title": "Gao couriers", "question": "Who runs them?", "as_of": _tomorrow().isoformat()}
    response = client.post(reverse("assessments:create"), body)
    assert response.status_code == 200
    assert f"The as-of date {_tomorrow().isoformat()} is in the future" in response.content.decode()
    assert not Assessment.objects.exists()


def test_the_new_assessment_form_takes_today_or_an_earlier_day(client, analyst):
    client.force_login(analyst)
    for title, day in (("Then", "2013-08-01"), ("Now", timezone.localdate().isoformat())):
        response = client.post(reverse("assessments:create"), {"title": title, "question": "Q?", "as_of": day})
        assert response.status_code == 302
        assert Assessment.objects.get(title=title).as_of.isoformat() == day


def test_the_as_of_control_refuses_a_future_date_with_its_message(client, assessment, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("indicators:as_of", args=[assessment.pk]), {"as_of": _tomorrow().isoformat()}, follow=True
    )
    assert "is in the future: choose today or an earlier day" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.as_of is None


def test_a_json_import_with_a_future_as_of_date_is_refused_naming_the_field(team):
    with pytest.raises(AssessmentFileError) as caught:
        assessment_import(data=_file("2999-01-01"), team=team, create_analysts=True)
    assert "as_of: The as-of date 2999-01-01 is in the future: choose today or an earlier day." in caught.value.errors
    assert not Assessment.objects.exists()


def test_the_upload_page_lists_the_future_as_of_date_and_imports_nothing(client, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(factories.member(team, "team_admin", username="tess"))
    upload = SimpleUploadedFile("a.json", json.dumps(_file("2999-01-01")).encode(), content_type="application/json")
    response = client.post(reverse("assessments:import"), {"file": upload, "create_analysts": "1"})
    assert "as_of: The as-of date 2999-01-01 is in the future" in response.content.decode()
    assert not Assessment.objects.exists()


def test_loading_a_file_by_id_with_a_future_as_of_date_leaves_the_assessment_as_it_was(team):
    admin = factories.member(team, "team_admin", username="tess")
    loaded = assessment_load(data=_file("2013-08-01", id="aqim-2013"), team=team, user=admin, create_analysts=True)
    version = loaded.assessment.content_version
    with pytest.raises(AssessmentFileError) as caught:
        assessment_load(data=_file("2999-01-01", id="aqim-2013"), team=team, user=admin, create_analysts=True)
    assert any(error.startswith("as_of: The as-of date 2999-01-01") for error in caught.value.errors)
    loaded.assessment.refresh_from_db()
    assert (loaded.assessment.as_of, loaded.assessment.content_version) == (datetime.date(2013, 8, 1), version)


def test_the_api_refuses_a_future_as_of_date_with_a_field_error(analyst):
    api = client_for(analyst)
    body = {"title": "Gao couriers", "question": "Who?", "as_of": _tomorrow().isoformat()}
    response = api.post(reverse("api:assessment-list"), body, format="json")
    assert response.status_code == 400
    assert "is in the future" in " ".join(response.json()["as_of"])
    assert not Assessment.objects.exists()


def test_the_api_creates_an_assessment_as_of_a_past_day_and_reads_it_back(analyst):
    api = client_for(analyst)
    body = {"title": "Gao couriers", "question": "Who?", "as_of": "2013-08-01"}
    response = api.post(reverse("api:assessment-list"), body, format="json")
    assert response.status_code == 201 and response.json()["as_of"] == "2013-08-01"
    detail = api.get(reverse("api:assessment-detail", kwargs={"pk": response.json()["id"]})).json()
    assert detail["as_of"] == "2013-08-01"

"""Small page fixes: the favicon, the priors page's title, plurals in the evidence import."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_the_priors_page_title_is_plain_text(client, analyst, assessment):
    client.force_login(analyst)
    page = client.get(reverse("ach:priors", args=[assessment.pk])).content.decode()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and title.startswith("Priors · Test assessment")
    assert page.count('id="reliability-form"') == 1


def test_a_one_row_import_preview_says_row_and_item(client, analyst, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(analyst)
    upload = SimpleUploadedFile("e.csv", b"summary,credibility,relevance\nA report,medium,medium\n", "text/csv")
    page = client.post(reverse("assessments:evidence_import", args=[assessment.pk]), {"file": upload}).content.decode()
    assert "Preview: 1 row" in page and "1 rows" not in page
    assert "Import 1 evidence item<" in page


def test_a_supervisor_sees_no_mine_tab_and_opens_on_the_team(client, supervisor, assessment):
    client.force_login(supervisor)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    tabs = page.split('aria-label="Whose ratings"', 1)[1].split("</nav>", 1)[0]
    assert ">Mine<" not in tabs and 'aria-current="true">Team consensus<' in tabs
    mine = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "mine"}).content.decode()
    assert 'aria-current="true">Team consensus<' in mine.split('aria-label="Whose ratings"', 1)[1].split("</nav>", 1)[0]


def test_notification_emails_link_from_site_url(
    settings, assessment, analyst, teammate, django_capture_on_commit_callbacks
):
    from django.core import mail

    from apps.assessments.models import Activity
    from apps.assessments.services import activity_record

    settings.SITE_URL = "http://workbench.example.test:8080/"
    teammate.email = "bob@example.test"
    teammate.save()
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(
            assessment=assessment, kind=Activity.Kind.REVIEW, message="alice commented", actor=analyst, notify=True
        )
    bodies = [m.body for m in mail.outbox if "bob@example.test" in m.to]
    assert bodies and "http://workbench.example.test:8080/" in bodies[0] and ":8000" not in bodies[0]

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

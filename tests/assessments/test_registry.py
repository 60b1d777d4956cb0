"""The assessment's pages know techniques only through the registry; ACH is one technique like the others."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from apps.assessments.exchange import AssessmentFileError, assessment_import
from apps.assessments.services import snapshot_compute
from apps.assessments.techniques import TECHNIQUES, Part, SectionContext, Surface, Technique, technique_tabs
from tests.api.conftest import client_for
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
ACH_URL_NAME = re.compile(r"""['"]ach:""")


def _sources_outside_ach() -> list[Path]:
    files = [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("config").rglob("*.py")]
    for path in ROOT.joinpath("apps").rglob("*"):
        if path.suffix in {".py", ".html"} and "ach" not in path.relative_to(ROOT / "apps").parts[:1]:
            files.append(path)
    return files


def test_no_template_or_module_outside_apps_ach_names_an_ach_url():
    offenders = [str(p.relative_to(ROOT)) for p in _sources_outside_ach() if ACH_URL_NAME.search(p.read_text())]
    assert _sources_outside_ach(), "the scan found no files"
    assert offenders == []


def test_the_tab_bar_is_drawn_in_one_place():
    templates = [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("apps").rglob("*.html")]
    drawing = [str(p.relative_to(ROOT)) for p in templates if 'aria-label="Assessment sections"' in p.read_text()]
    assert drawing == ["apps/assessments/templates/assessments/tabs.html"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["ach:matrix", "key_assumptions:check", "indicators:board", "quality:register"])
def test_every_techniques_tab_comes_from_the_registry(client, analyst, assessment, page):
    client.force_login(analyst)
    html = client.get(reverse(page, args=[assessment.pk])).content.decode()
    nav = html.split('aria-label="Assessment sections"')[1].split("</nav>")[0]
    expected = [(reverse(url_name, args=[assessment.pk]), label) for _, label, url_name in technique_tabs()]
    assert [name for name, _, _ in technique_tabs()] == ["ach", "key_assumptions", "indicators", "quality"]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)[: len(expected)] == expected


def _throwaway_section(context: SectionContext) -> dict:
    return {
        "notes": context.results.get("notes", "not scored"),
        "viewer": context.view.username,
        "sees_all": context.view.sees_all,
    }


@pytest.fixture
def throwaway(monkeypatch, settings):
    """The README's example technique: registered as its AppConfig.ready() would, with its own URL and
    templates (its app's templates folder here is the test's)."""
    settings.ROOT_URLCONF = "tests.assessments.throwaway_urls"
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}]
    imported: list[dict] = []
    technique = Technique(
        name="throwaway",
        compute=lambda assessment: {"notes": assessment.title},
        validate_section=lambda data, context: [
            f"throwaway[{i}]: a note is text" for i, n in enumerate(data.get("throwaway", [])) if not isinstance(n, str)
        ],
        import_section=lambda assessment, data, context: imported.extend(data.get("throwaway", [])),
        export_section=lambda assessment: {"throwaway": [f"note on {assessment.title}"]},
        nav=("Throwaway", "throwaway:page"),
        review_board=Surface(data=_throwaway_section, parts=(Part("throwaway/board.html", place="left", order=25),)),
        report=Surface(data=_throwaway_section, parts=(Part("throwaway/report.html", order=55),)),
    )
    monkeypatch.setitem(TECHNIQUES, "throwaway", technique)
    return imported


@pytest.mark.django_db
def test_a_new_technique_gets_its_tab_and_its_json_section_without_touching_other_apps(
    client, analyst, assessment, team, throwaway
):
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert f'<a href="/assessments/{assessment.pk}/throwaway/">Throwaway</a>' in page
    exported = json.loads(client.get(reverse("assessments:export_json", args=[assessment.pk])).content)
    assert exported["throwaway"] == [f"note on {assessment.title}"]

    exported["throwaway"] = [7]
    with pytest.raises(AssessmentFileError) as error:
        assessment_import(data=exported, team=team, create_analysts=True)
    assert "throwaway[0]: a note is text" in error.value.errors
    exported["throwaway"] = ["kept"]
    assessment_import(data=exported, team=team, create_analysts=True)
    assert throwaway == ["kept"]


@pytest.mark.django_db
def test_a_new_technique_appears_in_the_review_board_the_report_and_the_api_snapshot(
    client, analyst, supervisor, assessment, throwaway
):
    snapshot_compute(assessment_id=assessment.pk)
    login(client, supervisor)
    board = client.get(reverse("reviews:board", args=[assessment.pk])).content.decode()
    left = board.split('id="review-linchpins"')[1].split('id="review-threads"')[0]
    # Between the key uncertainties (20) and the indicators (30), as its order says.
    assert (
        left.index('id="review-uncertainties"')
        < left.index('id="review-throwaway"')
        < left.index('id="review-indicators"')
    )
    assert f"{assessment.title} · seen by {supervisor.username} (everything)" in board

    report = client.get(reverse("reviews:report", args=[assessment.pk])).content.decode()
    assert (
        report.index('id="report-assumptions"')
        < report.index('id="report-throwaway"')
        < report.index('id="report-indicators"')
    )
    login(client, analyst)
    report = client.get(reverse("reviews:report", args=[assessment.pk])).content.decode()
    assert f"{assessment.title} · seen by {analyst.username} (her view)" in report

    latest = client_for(analyst).get(f"/api/v1/assessments/{assessment.pk}/snapshots/latest/").json()
    assert latest["techniques"]["throwaway"] == {"notes": assessment.title}
    # ACH puts its figures at the top level (its own snapshot fields); the throw-away has none.
    assert "ach" not in latest["techniques"]
    assert latest["ranking"] == assessment.snapshots.get(version=latest["version"]).results["ach"]["ranking"]

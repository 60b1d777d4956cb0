import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from apps.ach.models import Rating
from apps.ach.services import rating_set, ratings_bulk_create
from apps.assessments import services as assessment_services
from apps.assessments.exchange import assessment_import
from apps.comments import services as comment_services
from apps.reviews.models import ReviewMark
from tests import factories
from tests.conftest import login
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db


def _rate_all(assessment, analyst, label_of):
    rows = [
        (analyst, e, h, label_of(i, j), "")
        for i, e in enumerate(assessment.evidence.all())
        for j, h in enumerate(assessment.hypotheses.all())
    ]
    ratings_bulk_create(assessment=assessment, rows=rows)


@pytest.fixture
def rated(assessment, analyst, teammate):
    """alice and bob agree everywhere except on E3, where alice says CC and bob II (the largest disagreement)."""
    _rate_all(assessment, analyst, lambda i, j: "CC" if i == 2 else "N")
    _rate_all(assessment, teammate, lambda i, j: "II" if i == 2 else "N")
    assessment_services.snapshot_compute(assessment_id=assessment.pk)
    return assessment


def _board(client, assessment):
    return client.get(reverse("reviews:board", args=[assessment.pk]))


def test_review_view_puts_the_largest_disagreement_first_with_each_analysts_rating(client, rated, supervisor):
    login(client, supervisor)
    html = _board(client, rated).content.decode()
    grid = html.split('id="review-grid"')[1]
    first_row = grid.split("<tbody>")[1].split("</tr>")[0]
    assert "<strong>E3</strong>" in first_row
    # Each cell: the consensus, then alice's and bob's ratings.
    assert "CC II" in first_row
    assert "First review of this assessment" in html


def test_review_view_lists_unresolved_comments_key_uncertainties_and_history(client, rated, analyst, supervisor):
    evidence = rated.evidence.get(key="E2")
    thread = comment_services.thread_start(assessment=rated, user=supervisor, evidence_id=evidence.pk, body="Source?")
    make_assumption(rated, analyst, statement="Low impact doubt", confidence="unsupported", impact="low")
    make_assumption(rated, analyst, statement="High impact doubt", confidence="unsupported", impact="high")
    make_assumption(rated, analyst, statement="Solid ground", confidence="solid", impact="high")
    login(client, supervisor)
    html = _board(client, rated).content.decode()
    threads = html.split('id="review-threads"')[1].split("</div>")[0]
    uncertainties = html.split('id="review-uncertainties"')[1].split("</div>")[0]
    assert f"/comments/{thread.pk}/" in threads
    assert uncertainties.index("High impact doubt") < uncertainties.index("Low impact doubt")
    assert "Solid ground" not in uncertainties
    assert "No snapshots yet" not in html.split('id="review-history"')[1]
    comment_services.thread_resolve(thread=thread, user=supervisor, resolved=True)
    html = _board(client, rated).content.decode()
    assert f"/comments/{thread.pk}/" not in html.split('id="review-threads"')[1].split("</div>")[0]


def test_changes_since_my_last_review_are_highlighted(client, rated, analyst, supervisor):
    login(client, supervisor)
    _board(client, rated)
    mark = ReviewMark.objects.get(user=supervisor, assessment=rated)
    assert mark.seen_version == rated.content_version
    e4, h1 = rated.evidence.get(key="E4"), rated.hypotheses.first()
    rating_set(assessment=rated, analyst=analyst, evidence_id=e4.pk, hypothesis_id=h1.pk, label="II")
    html = _board(client, rated).content.decode()
    assert "Changed since my last review" in html
    assert '<strong id="changed-count">1</strong>' in html
    row = html.split(f'id="review-row-{e4.pk}"')[0].rsplit("<tr", 1)[1]
    assert "changed" in row
    untouched = html.split(f'id="review-row-{rated.evidence.get(key="E1").pk}"')[0].rsplit("<tr", 1)[1]
    assert "changed" not in untouched
    # Opening the view moved the mark: the next visit has nothing new.
    html = _board(client, rated).content.decode()
    assert '<strong id="changed-count">0</strong>' in html


def test_review_view_query_count_does_not_grow_with_the_assessment(client, team, supervisor, analyst):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for hypotheses, evidence in ((3, 5), (8, 60)):
        assessment = factories.assessment_with_matrix(
            team=team, user=analyst, hypotheses=[f"H{i}" for i in range(hypotheses)], evidence=evidence
        )
        _rate_all(assessment, analyst, lambda i, j: ["CC", "C", "N", "I"][(i + j) % 4])
        assessment_services.snapshot_compute(assessment_id=assessment.pk)
        for i, e in enumerate(assessment.evidence.all()[:3]):
            comment_services.thread_start(assessment=assessment, user=supervisor, evidence_id=e.pk, body=f"c{i}")
        login(client, supervisor)
        _board(client, assessment)  # the first visit creates the mark
        with CaptureQueriesContext(connection) as queries:
            assert _board(client, assessment).status_code == 200
        counts.append(len(queries))
    # session, user, assessment+role, mark, hypotheses, evidence, ratings, analysts, changed ratings, snapshot,
    # changed indicators, threads (+ rows rated in full: none for a supervisor), assumptions, snapshots,
    # the team switcher's memberships, the mark's update.
    assert counts[0] == counts[1] == 17  # 16 for the board, 1 for the header's unread notifications


@pytest.mark.parametrize(("persona", "status"), [("analyst", 403), ("teammate", 403), ("outsider", 404)])
def test_only_supervisors_open_the_review_view(client, assessment, request, persona, status):
    login(client, request.getfixturevalue(persona))
    assert _board(client, assessment).status_code == status
    assert not ReviewMark.objects.exists()


@pytest.mark.parametrize("persona", ["analyst", "teammate", "supervisor"])
def test_every_member_reads_the_report(client, assessment, request, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse("reviews:report", args=[assessment.pk])).status_code == 200


def test_the_report_hides_the_teams_ratings_of_rows_an_analyst_has_not_rated(client, rated, team, analyst):
    newcomer = factories.member(team, "analyst", username="nina")
    e3 = rated.evidence.get(key="E3")
    login(client, newcomer)
    html = client.get(reverse("reviews:report", args=[rated.pk])).content.decode()
    matrix = html.split('id="report-matrix"')[1].split("</section>")[0]
    assert matrix.count("yourself to see the team") == rated.evidence.count()
    assert "E3 × H1" not in html.split('id="report-disagreements"')[1]
    _rate_all(rated, newcomer, lambda i, j: "N")
    html = client.get(reverse("reviews:report", args=[rated.pk])).content.decode()
    assert "yourself to see the team" not in html
    assert f"review-row-{e3.pk}" in html and "E3 × H1" in html.split('id="report-disagreements"')[1]


@pytest.fixture
def aqim(team, supervisor):
    data = json.loads((settings.BASE_DIR / "fixtures" / "aqim.json").read_text())
    assessment = assessment_import(data=data, team=team, create_analysts=True)
    assessment_services.snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    return assessment, data


def test_the_aqim_report_carries_question_ranking_matrix_assumptions_indicators_and_marking(client, aqim, supervisor):
    assessment, data = aqim
    login(client, supervisor)
    html = client.get(reverse("reviews:report", args=[assessment.pk])).content.decode()
    snapshot = assessment.snapshots.first()
    ach = snapshot.results["ach"]
    assert escape(data["question"]) in html
    ranking = html.split('id="report-hypotheses"')[1].split("</section>")[0]
    # Hypotheses in the snapshot's ranking order, each with its posterior as a percentage.
    positions = [ranking.index(f"<strong>{key}</strong>") for key in ach["ranking"]]
    assert positions == sorted(positions)
    leader = ach["ranking"][0]
    assert f"{ach['team'][leader]['posterior'] * 100:.1f}%" in ranking
    matrix = html.split('id="report-matrix"')[1].split("</section>")[0]
    assert matrix.count("review-row-") == len(data["evidence"])
    assumptions = html.split('id="report-assumptions"')[1].split("</section>")[0]
    assert all(escape(a["statement"]) in assumptions for a in data["assumptions"] if a.get("status") != "retired")
    indicators = html.split('id="report-indicators"')[1].split("</section>")[0]
    assert all(escape(i["statement"][:40]) in indicators for i in data["indicators"])
    linchpins = snapshot.results["ach"]["linchpins"]
    evidence = html.split('id="report-evidence"')[1].split("</section>")[0]
    assert all(f"<strong>{key}</strong>" in evidence for keys in linchpins.values() for key in keys)
    assert "Not approved" in html
    marking = getattr(assessment, "marking", None)
    expected = str(marking) if marking else "HANDLING MARKING NOT SET"
    assert html.count(expected) >= 2  # the running head and foot of every printed page


def test_the_report_shows_who_approved_and_when(client, aqim, analyst, supervisor):
    assessment, _ = aqim
    assessment_services.assessment_review(assessment=assessment, user=analyst, action="submit")
    assessment_services.assessment_review(assessment=assessment, user=supervisor, action="approve")
    login(client, analyst)
    html = client.get(reverse("reviews:report", args=[assessment.pk])).content.decode()
    approval = html.split('id="report-approval"')[1].split("</section>")[0]
    assert "Approved by <strong>sam</strong>" in approval
    assert "submit" in approval and "approve" in approval


def _weasyprint_loads() -> str:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"WeasyPrint cannot load here: {exc}"
    return ""


@pytest.mark.skipif(bool(_weasyprint_loads()), reason=_weasyprint_loads() or "WeasyPrint loads")
def test_the_aqim_report_renders_as_a_pdf_with_the_marking_on_every_page(client, aqim, supervisor):
    assessment, data = aqim
    login(client, supervisor)
    response = client.get(reverse("reviews:report_pdf", args=[assessment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    marking = getattr(assessment, "marking", None)
    expected = str(marking) if marking else "HANDLING MARKING NOT SET"
    assert len(pages) > 1
    assert all(expected in page.extract_text() for page in pages)
    assert "Key question" in pages[0].extract_text()


def test_a_rating_change_marks_the_analysts_cell_changed_not_the_others(rated, analyst, supervisor):
    from apps.ach.surfaces import grid_get

    since = timezone.now()
    e1, h2 = rated.evidence.get(key="E1"), list(rated.hypotheses.all())[1]
    Rating.objects.filter(analyst=analyst, evidence=e1, hypothesis=h2).update(value=1, rated_at=since + timedelta(1))
    grid = grid_get(assessment=rated, since=since)
    row = next(r for r in grid.rows if r.evidence.pk == e1.pk)
    assert [cell.changed for cell in row.cells] == [False, True, False]


def test_the_report_shows_sensitivity_when_the_snapshot_carries_it(client, rated, supervisor):
    snapshot = rated.snapshots.first()
    snapshot.results["ach"]["sensitivity"] = {key: f"stable-{key}" for key in snapshot.results["ach"]["ranking"]}
    snapshot.save(update_fields=["results"])
    login(client, supervisor)
    ranking = client.get(reverse("reviews:report", args=[rated.pk])).content.decode().split('id="report-hypotheses"')[1]
    assert "<th>Sensitivity</th>" in ranking
    assert all(f"stable-{key}" in ranking for key in snapshot.results["ach"]["ranking"])


def test_key_uncertainties_follow_the_check_unsupported_by_impact_then_high_impact_with_caveats(assessment, analyst):
    from apps.key_assumptions.surfaces import key_uncertainties

    caveats_high = make_assumption(assessment, analyst, statement="Caveats, high", confidence="caveats", impact="high")
    unsupported_low = make_assumption(
        assessment, analyst, statement="Unsupported, low", confidence="unsupported", impact="low"
    )
    unsupported_high = make_assumption(
        assessment, analyst, statement="Unsupported, high", confidence="unsupported", impact="high"
    )
    make_assumption(assessment, analyst, statement="Caveats, medium", confidence="caveats", impact="medium")
    chosen = key_uncertainties(assessment=assessment)
    assert [a.pk for a in chosen] == [unsupported_high.pk, unsupported_low.pk, caveats_high.pk]

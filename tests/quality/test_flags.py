"""The source register's flags (apps/quality/checks.py, rules 1–3): by hand-written snapshot sections, then on a
scored matrix through the register page, the review board and the report."""

import pytest
from django.urls import reverse

from apps.assessments import services
from apps.assessments.models import Source
from apps.quality.checks import flags_of
from tests.conftest import login

from .test_sources import _matrix

# S1 (graded E) carries E1 and E2, S2 (graded A) E3, confirmed; E4 comes from no source, S3 (retracted) E5.
QUALITY = {
    "sources": {
        "S1": {"name": "Agent X", "grade": "E", "retracted_on": None, "items": ["E1", "E2"], "information": {"E1": 2}},
        "S2": {"name": "Embassy", "grade": "A", "retracted_on": None, "items": ["E3"], "information": {"E3": 1}},
        "S3": {"name": "Walk-in", "grade": "D", "retracted_on": "2013-05-01", "items": ["E5"], "information": {}},
    },
    "ungraded_items": ["E4"],
}
# H1 leads; E1 and E3 pull towards it, E4 against; E2 and E3 are linchpins.
ACH = {
    "leader_by_posterior": "H1",
    "answer": {
        "pair": ["H1", "H2"],
        "items": [
            {"key": "E1", "contribution": 0.8},
            {"key": "E3", "contribution": 0.5},
            {"key": "E4", "contribution": -0.3},
        ],
    },
    "linchpins": {"linchpin_inconsistency": ["E2", "E3"], "linchpin_posterior": ["E2"]},
}


def _codes(flags):
    return [(flag["code"], flag["item"], flag["source"]) for flag in flags]


def test_an_item_moving_the_answer_towards_the_leader_unconfirmed_is_flagged_single_source():
    flags = _codes(flags_of(QUALITY, ACH))
    assert ("single_source", "E1", "S1") in flags
    # E3 is confirmed by other sources (information 1); E4 favours the rival.
    assert not [f for f in flags if f[0] == "single_source" and f[1] in ("E3", "E4")]


def test_a_linchpin_of_a_source_graded_d_to_f_is_flagged_once_whatever_its_bases():
    flags = _codes(flags_of(QUALITY, ACH))
    assert [f for f in flags if f[0] == "doubtful_linchpin"] == [("doubtful_linchpin", "E2", "S1")]


def test_a_linchpin_of_an_ungraded_or_retracted_source_is_not_doubtful():
    ach = {**ACH, "linchpins": {"linchpin_posterior": ["E4", "E5"]}}
    assert not [f for f in flags_of(QUALITY, ach) if f["code"] == "doubtful_linchpin"]


def test_items_of_no_graded_source_are_one_flag_naming_them():
    ungraded = [f for f in flags_of(QUALITY, ACH) if f["code"] == "ungraded"]
    assert len(ungraded) == 1 and ungraded[0]["items"] == ["E4"]
    many = {**QUALITY, "ungraded_items": [f"E{n}" for n in range(1, 13)]}
    (flag,) = [f for f in flags_of(many, ACH) if f["code"] == "ungraded"]
    assert flag["message"] == "12 items come from no graded source: E1, E2, E3, E4, E5, E6, E7, E8, E9, E10 and 2 more."


def test_nothing_rated_and_nothing_sourced_raises_no_flag():
    assert flags_of({"sources": {}, "ungraded_items": []}, {}) == []


@pytest.mark.django_db
def test_a_scored_matrix_shows_its_flags_on_the_register_the_board_and_the_report(client, team, analyst, supervisor):
    # E1 (Agent X) rated [CC, II] outweighs E2 [I, C] of low credibility: H1 leads only with E1, so E1 is a
    # linchpin, favours the leader and is not confirmed. E2 comes from no source.
    assessment = _matrix(
        team,
        analyst,
        ["CC II", "I C"],
        e1={"origin": "Agent X", "credibility": "high", "information": 3},
        e2={"credibility": "low", "relevance": "low"},
    )
    source = Source.objects.get(assessment=assessment)
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="D")
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    assert snapshot.results["ach"]["leader_by_posterior"] == "H1"
    assert "E1" in snapshot.results["ach"]["linchpins"]["linchpin_posterior"]

    page = login(client, analyst).get(reverse("quality:register", args=[assessment.pk])).content.decode()
    flags = page.split('id="quality-flags"')[1].split("</ul>")[0]
    assert 'class="flag-single_source"' in flags and "E1 is among the items that move the answer most" in flags
    assert "E1 is a linchpin and its source S1 is graded D." in flags
    assert "1 item comes from no graded source: E2." in flags

    login(client, supervisor)
    board = client.get(reverse("reviews:board", args=[assessment.pk])).content.decode()
    assert "E1 is a linchpin and its source S1 is graded D." in board.split('id="review-sources"')[1]
    report = client.get(reverse("reviews:report", args=[assessment.pk])).content.decode()
    assert "E1 is a linchpin and its source S1 is graded D." in report.split('id="report-sources"')[1]

    # Graded A and confirmed, the same item raises neither flag.
    source.refresh_from_db()
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="A")
    services.evidence_source_set(evidence=assessment.evidence.get(key="E1"), user=analyst, source=source, information=1)
    services.snapshot_compute(assessment_id=assessment.pk)
    page = login(client, analyst).get(reverse("quality:register", args=[assessment.pk])).content.decode()
    assert "flag-single_source" not in page and "flag-doubtful_linchpin" not in page

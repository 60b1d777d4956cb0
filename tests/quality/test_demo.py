"""The AQIM demo's source register (fixtures/aqim.json against /work/shared/seed/aqim-report.txt's notes)."""

import copy
import json
import re
from pathlib import Path

import pytest

from apps.assessments import services
from apps.assessments.exchange import assessment_import
from apps.assessments.models import Source

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "fixtures" / "aqim.json").read_text())
REPORT = ROOT.parent / "shared" / "seed" / "aqim-report.txt"


def test_every_source_the_demo_cites_is_graded_with_a_one_line_reason():
    assert DEMO["sources"]
    for source in DEMO["sources"]:
        assert source["grade"] in "ABCDEF" and source["grade"]
        assert source["grade_reason"] and "\n" not in source["grade_reason"] and len(source["grade_reason"]) <= 300


def _report_notes() -> dict[int, str]:
    """The report's numbered notes, an *ibid.* or *op cit.* read as the note it repeats."""
    notes: dict[int, str] = {}
    for line in REPORT.read_text().splitlines():
        numbered = re.match(r"(\d+)\. (.*)", line)
        if numbered and int(numbered[1]) not in notes:
            number, text = int(numbered[1]), numbered[2]
            notes[number] = notes[number - 1] if re.fullmatch(r"\*(ibid|op cit)\.\*", text) else text
    return notes


def _cited(reason: str) -> list[int]:
    numbers = []
    for group in re.findall(r"notes? ([\d,–\s]+\d)", reason):
        for part in re.split(r",\s*", group):
            first, _, last = part.partition("–")
            numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


@pytest.mark.skipif(not REPORT.exists(), reason="the seed report is not beside the project")
def test_every_note_a_grade_reason_cites_is_that_sources_or_one_the_reason_names():
    # "(note 23)" for the CRS report was wrong: note 23 is ibid. to note 22, Abu al-Ma'ali's study.
    notes = _report_notes()
    for source in DEMO["sources"]:
        names = {source["name"].split()[0].strip(",")} | set(re.findall(r"\b[A-Z][\w-]{3,}", source["grade_reason"]))
        for number in _cited(source["grade_reason"]):
            assert any(name in notes[number] for name in names), (source["key"], number, notes[number])


def test_the_authors_judgments_are_one_source_and_each_article_its_own():
    evidence = {e["key"]: e for e in DEMO["evidence"]}
    by_key = {s["key"]: s for s in DEMO["sources"]}
    authors = next(s["key"] for s in DEMO["sources"] if s["name"] == "RAND RR-415 authors' own judgments")
    judgments = [k for k, e in evidence.items() if e["type"] == "expert_judgment" and e.get("source_key")]
    assert all(evidence[k]["source_key"] == authors for k in judgments)
    # Two items citing the same Washington Post article, two the same AP story: one source each.
    assert evidence["E5"]["source_key"] == evidence["E8"]["source_key"] != evidence["E10"]["source_key"]
    assert evidence["E10"]["source_key"] == evidence["E30"]["source_key"]
    # AQIM's own emir talking to the press is graded doubtful.
    assert by_key[evidence["E7"]["source_key"]]["grade"] == "D"


@pytest.mark.django_db
def test_the_demo_loads_its_register_and_scores(team):
    assessment = assessment_import(data=copy.deepcopy(DEMO), team=team, create_analysts=True)
    assert Source.objects.filter(assessment=assessment).exclude(grade="").count() == len(DEMO["sources"])
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    runs = snapshot.results["ach"]["sources"]
    assert set(runs) == {s["key"] for s in DEMO["sources"]}
    assert snapshot.results["ach"]["leader_by_posterior"] == "H1"

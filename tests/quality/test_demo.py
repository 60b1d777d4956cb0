"""The AQIM demo's source register (fixtures/aqim.json against /work/shared/seed/aqim-report.txt's notes)."""

import copy
import json
from pathlib import Path

import pytest

from apps.assessments import services
from apps.assessments.exchange import assessment_import
from apps.assessments.models import Source

DEMO = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "aqim.json").read_text())


def test_every_source_the_demo_cites_is_graded_with_a_one_line_reason():
    assert DEMO["sources"]
    for source in DEMO["sources"]:
        assert source["grade"] in "ABCDEF" and source["grade"]
        assert source["grade_reason"] and "\n" not in source["grade_reason"] and len(source["grade_reason"]) <= 300


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

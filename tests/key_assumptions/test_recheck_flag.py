"""Evidence that challenges an assumption flags it "needs re-check" through the real rescoring task.

Each write goes through the service; its transaction commits, on_commit enqueues rescore_assessment
(run in-process here), and the assertions read what the task stored.
"""

import pytest

from apps.assessments import services as assessment_services
from apps.assessments.exchange import assessment_export, assessment_import
from apps.assessments.models import Activity, Notification, ScoreSnapshot
from apps.key_assumptions import services
from apps.key_assumptions.models import Assumption, Change

from .conftest import make_assumption

pytestmark = pytest.mark.django_db(transaction=True)


def _latest(assessment) -> ScoreSnapshot:
    return ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version").first()


def test_linking_challenging_evidence_flags_the_assumption_with_the_evidence_and_why(assessment, analyst, teammate):
    assumption = make_assumption(assessment, analyst)
    evidence = assessment.evidence.get(key="E2")
    services.evidence_link_set(
        assumption=assumption, evidence=evidence, relation="challenges", user=analyst, note="GIA cells in France"
    )
    assumption.refresh_from_db()
    assert assumption.needs_recheck is True
    assert assumption.recheck_evidence == ["E2"]
    assert assumption.recheck_reason == "E2 challenges it (GIA cells in France)"
    flag = Activity.objects.get(assessment=assessment, kind=Activity.Kind.FLAG)
    assert flag.message == "Key assumption A1 needs re-check: E2 challenges it (GIA cells in France)."
    assert Notification.objects.filter(activity=flag, user=teammate).exists()
    assert [a["code"] for a in _latest(assessment).alerts] == ["assumption_needs_recheck"]
    assert assumption.history.filter(action=Change.Action.FLAGGED, actor__isnull=True).exists()


def test_supporting_evidence_does_not_flag(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    services.evidence_link_set(
        assumption=assumption, evidence=assessment.evidence.first(), relation="supports", user=analyst
    )
    assumption.refresh_from_db()
    assert assumption.needs_recheck is False
    assert not Activity.objects.filter(kind=Activity.Kind.FLAG).exists()


def test_new_evidence_added_as_challenging_arrives_through_evidence_add_and_flags(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    evidence, link = services.evidence_add_challenging(
        assumption=assumption,
        user=analyst,
        note="A cell was dismantled in Paris",
        summary="French police arrest an AQIM-linked cell",
        credibility="high",
        relevance="high",
    )
    assumption.refresh_from_db()
    assert (evidence.key, link.evidence_id, link.relation) == ("E6", evidence.pk, "challenges")
    assert assumption.needs_recheck is True
    assert "E6" in _latest(assessment).trigger_evidence
    assert Activity.objects.filter(kind=Activity.Kind.CHANGE, message__startswith="Evidence E6 added").exists()


def test_a_recheck_clears_the_flag_and_later_rescoring_does_not_raise_it_again(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    services.evidence_link_set(
        assumption=assumption, evidence=assessment.evidence.first(), relation="challenges", user=analyst
    )
    services.assumption_recheck(assumption=assumption, user=analyst, reason="E1 predates the split; still holds")
    services.judgment_set(assumption=assumption, analyst=analyst, confidence="solid", impact="high")
    assumption.refresh_from_db()
    assert assumption.needs_recheck is False
    assert Activity.objects.filter(kind=Activity.Kind.FLAG).count() == 1
    entry = assumption.history.get(action=Change.Action.RECHECKED)
    assert entry.reason == "E1 predates the split; still holds"
    assert entry.changes == {"needs_recheck": [True, False], "evidence": [["E1"], []]}


def test_a_further_challenge_after_a_recheck_flags_again(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    first, second = assessment.evidence.all()[:2]
    services.evidence_link_set(assumption=assumption, evidence=first, relation="challenges", user=analyst)
    services.assumption_recheck(assumption=assumption, user=analyst, reason="Holds")
    services.evidence_link_set(assumption=assumption, evidence=second, relation="challenges", user=analyst)
    assumption.refresh_from_db()
    assert assumption.recheck_evidence == [second.key]
    assert Activity.objects.filter(kind=Activity.Kind.FLAG).count() == 2


def test_a_second_challenge_on_a_flagged_assumption_extends_the_flag(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    first, second = assessment.evidence.all()[:2]
    services.evidence_link_set(assumption=assumption, evidence=first, relation="challenges", user=analyst, note="one")
    services.evidence_link_set(assumption=assumption, evidence=second, relation="challenges", user=analyst, note="two")
    assumption.refresh_from_db()
    assert assumption.recheck_evidence == ["E1", "E2"]
    assert assumption.recheck_reason == "E1 challenges it (one); E2 challenges it (two)"


def test_a_retired_assumption_is_not_flagged(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    services.assumption_update(
        assumption=assumption,
        expected_version=assumption.version,
        user=analyst,
        reason="No longer relevant",
        status="retired",
    )
    services.evidence_link_set(
        assumption=assumption, evidence=assessment.evidence.first(), relation="challenges", user=analyst
    )
    assumption.refresh_from_db()
    assert assumption.needs_recheck is False


def test_an_imported_challenging_link_marked_new_since_check_flags_after_the_import(team, analyst):
    data = {
        "format": "sat-workbench/assessment@1",
        "title": "Imported",
        "question": "Which?",
        "hypotheses": [{"key": "H1", "statement": "One"}],
        "evidence": [
            {"key": "E1", "summary": "Old", "credibility": "medium", "relevance": "medium"},
            {"key": "E2", "summary": "New", "credibility": "high", "relevance": "high"},
        ],
        "assumptions": [
            {
                "key": "A1",
                "statement": "Premise",
                "confidence": "caveats",
                "impact": "high",
                "owner": "alice",
                "evidence_links": [
                    {"evidence": "E1", "relation": "challenges", "note": "seen at the check"},
                    {"evidence": "E2", "relation": "challenges", "note": "arrived later", "new_since_check": True},
                ],
            }
        ],
    }
    imported = assessment_import(data=data, team=team, user=analyst)
    assumption = Assumption.objects.get(assessment=imported)
    assert assumption.needs_recheck is True
    assert assumption.recheck_evidence == ["E2"]
    exported = assessment_export(assessment=imported)["assumptions"][0]
    assert exported["flag"]["evidence"] == ["E2"]
    assert [link["new_since_check"] for link in exported["evidence_links"]] == [False, True]


def test_an_assumption_becoming_a_key_uncertainty_warns_the_team(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    services.assumption_update(
        assumption=assumption,
        expected_version=assumption.version,
        user=analyst,
        reason="No evidence either way",
        confidence="unsupported",
        impact="high",
    )
    warning = Activity.objects.get(assessment=assessment, kind=Activity.Kind.WARNING)
    assert warning.message.startswith("Key assumption A1 is now a key uncertainty")


def test_evidence_arriving_by_another_path_rescoring_keeps_an_existing_flag(assessment, analyst):
    assumption = make_assumption(assessment, analyst)
    services.evidence_link_set(
        assumption=assumption, evidence=assessment.evidence.first(), relation="challenges", user=analyst
    )
    assessment_services.evidence_create(assessment=assessment, user=analyst, via="CSV import", summary="Unrelated")
    assumption.refresh_from_db()
    assert assumption.needs_recheck is True
    assert Activity.objects.filter(kind=Activity.Kind.FLAG).count() == 1
    assert _latest(assessment).results["key_assumptions"]["needs_recheck"] == ["A1"]


def test_challenging_evidence_arriving_by_csv_import_flags_the_assumption(client, assessment, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    make_assumption(assessment, analyst)
    other = make_assumption(assessment, analyst, statement="Ransom payments keep financing AQIM.")
    client.force_login(analyst)
    csv = b"summary,credibility,challenges,supports\nA cell is found in Marseille,high,A1,A2\n"
    url = reverse("assessments:evidence_import", args=[assessment.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("e.csv", csv)})
    assert preview.context["parsed"].ok
    client.post(url, {"confirm": preview.context["confirm"]})
    evidence = assessment.evidence.get(summary="A cell is found in Marseille")
    flagged = Assumption.objects.get(assessment=assessment, key="A1")
    assert flagged.needs_recheck is True and flagged.recheck_evidence == [evidence.key]
    assert other.evidence_links.get().relation == "supports"
    assert Assumption.objects.get(pk=other.pk).needs_recheck is False


def test_an_import_row_naming_an_unknown_assumption_is_refused_in_the_preview(client, assessment, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    make_assumption(assessment, analyst)
    client.force_login(analyst)
    csv = b"summary,challenges\nSomething,A1; A9\n"
    response = client.post(
        reverse("assessments:evidence_import", args=[assessment.pk]), {"file": SimpleUploadedFile("e.csv", csv)}
    )
    assert response.context["parsed"].row_errors == {1: ["challenges: no key assumption A9 in this assessment"]}
    assert "confirm" not in response.context


def test_results_computed_before_a_recheck_or_an_unlink_do_not_flag_when_stored_after_it(assessment, analyst):
    """The rescoring computes without locks and stores after: a check made (or a link removed) in between
    must not be undone by the flag its earlier reading called for."""
    from apps.key_assumptions.results import results_compute

    assumption = make_assumption(assessment, analyst)
    first, second = assessment.evidence.all()[:2]
    services.evidence_link_set(assumption=assumption, evidence=first, relation="challenges", user=analyst)
    services.assumption_recheck(assumption=assumption, user=analyst, reason="Holds")
    assumption.refresh_from_db()
    checked_version = assumption.checked_version
    services.evidence_link_set(assumption=assumption, evidence=second, relation="challenges", user=analyst)
    assumption.refresh_from_db()
    assert assumption.recheck_evidence == [second.key]
    services.assumption_recheck(assumption=assumption, user=analyst, reason="Holds still")

    # Results read while E2's challenge was new, stored after the re-check: nothing to flag.
    Assumption.objects.filter(pk=assumption.pk).update(checked_version=checked_version)
    stale = results_compute(assessment)
    assert [c["evidence"] for c in stale["assumptions"]["A1"]["new_challenges"]] == [second.key]
    services.assumption_recheck(assumption=assumption, user=analyst, reason="Holds, checked again")
    assert services.recheck_flags_apply(assessment=assessment, results=stale) == []

    # And a challenge whose link was removed since the reading flags nothing either.
    Assumption.objects.filter(pk=assumption.pk).update(checked_version=checked_version)
    stale = results_compute(assessment)
    Assumption.objects.filter(pk=assumption.pk).update(checked_version=0, recheck_evidence=[])
    assumption.evidence_links.filter(evidence=second).delete()
    assert services.recheck_flags_apply(assessment=assessment, results=stale) == []
    assumption.refresh_from_db()
    assert assumption.needs_recheck is False

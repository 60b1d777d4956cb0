"""The model rules enforced by apps.key_assumptions.services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.assessments.models import Activity
from apps.key_assumptions import services
from apps.key_assumptions.models import Assumption, Change, CheckRound, EvidenceLink, Judgment
from tests import factories

from .conftest import make_assumption

pytestmark = pytest.mark.django_db


def test_new_assumptions_get_consecutive_keys_and_a_created_history_entry(assessment, analyst):
    first = make_assumption(assessment, analyst)
    second = make_assumption(assessment, analyst, statement="Local populations reject AQIM's Salafism.")
    assert (first.key, second.key) == ("A1", "A2")
    assert second.order > first.order
    assert list(first.history.values_list("action", "actor_name")) == [(Change.Action.CREATED, "alice")]


def test_creating_an_assumption_bumps_the_content_version_and_counts_as_checked(assessment, analyst):
    before = assessment.content_version
    assumption = make_assumption(assessment, analyst)
    assessment.refresh_from_db()
    assert assessment.content_version == before + 1
    assert assumption.checked_version == assessment.content_version


def test_an_owner_from_another_team_is_refused(assessment, analyst, outsider):
    with pytest.raises(ValidationError, match="member of the assessment's team"):
        make_assumption(assessment, analyst, owner=outsider)
    assert not Assumption.objects.exists()


def test_supporting_another_assessments_hypothesis_is_refused(assessment, analyst, team):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    with pytest.raises(ValidationError):
        make_assumption(assessment, analyst, supports=[other.hypotheses.first()])


def test_an_unknown_confidence_level_is_refused(assessment, analyst):
    with pytest.raises(ValidationError):
        make_assumption(assessment, analyst, confidence="probably")


def test_editing_records_who_what_and_why_in_the_history(assumption, analyst, teammate, assessment):
    h1 = assessment.hypotheses.get(key="H1")
    services.assumption_update(
        assumption=assumption,
        expected_version=assumption.version,
        user=teammate,
        reason="Serval changed the picture",
        confidence="unsupported",
        impact="medium",
        owner=teammate,
        supports=[h1],
    )
    entry = assumption.history.get(action=Change.Action.EDITED)
    assert entry.actor == teammate
    assert entry.reason == "Serval changed the picture"
    assert entry.changes == {
        "confidence": ["caveats", "unsupported"],
        "owner": ["alice", "bob"],
        "supports": [[], ["H1"]],
    }


def test_an_edit_without_a_reason_is_refused_and_changes_nothing(assumption, analyst):
    with pytest.raises(ValidationError, match="Say why"):
        services.assumption_update(
            assumption=assumption, expected_version=assumption.version, user=analyst, reason=" ", confidence="solid"
        )
    assumption.refresh_from_db()
    assert assumption.confidence == "caveats"


def test_an_edit_that_changes_nothing_is_refused(assumption, analyst):
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.assumption_update(
            assumption=assumption,
            expected_version=assumption.version,
            user=analyst,
            reason="tidy",
            confidence="caveats",
        )


def test_each_analyst_has_one_judgment_which_a_new_one_replaces(assumption, analyst, teammate):
    services.judgment_set(assumption=assumption, analyst=analyst, confidence="solid", impact="high")
    services.judgment_set(assumption=assumption, analyst=teammate, confidence="unsupported", impact="high")
    services.judgment_set(
        assumption=assumption, analyst=analyst, confidence="caveats", impact="low", note="on reflection"
    )
    mine = Judgment.objects.get(assumption=assumption, analyst=analyst)
    assert (mine.confidence, mine.impact, mine.note) == ("caveats", "low", "on reflection")
    assert Judgment.objects.filter(assumption=assumption).count() == 2
    assert assumption.history.filter(action=Change.Action.JUDGED).first().changes == {
        "judgment": [["solid", "high"], ["caveats", "low"]]
    }


def test_a_supervisor_cannot_record_a_judgment(assumption, supervisor):
    with pytest.raises(ValidationError, match="analysts"):
        services.judgment_set(assumption=assumption, analyst=supervisor, confidence="solid", impact="high")


def test_evidence_from_another_assessment_cannot_be_linked(assumption, analyst, team):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    with pytest.raises(ValidationError, match="another assessment"):
        services.evidence_link_set(
            assumption=assumption, evidence=other.evidence.first(), relation="challenges", user=analyst
        )
    assert not EvidenceLink.objects.exists()


def test_relinking_the_same_evidence_updates_the_link_and_restamps_a_changed_relation(assumption, analyst, assessment):
    evidence = assessment.evidence.first()
    first = services.evidence_link_set(assumption=assumption, evidence=evidence, relation="supports", user=analyst)
    same = services.evidence_link_set(
        assumption=assumption, evidence=evidence, relation="supports", user=analyst, note="still"
    )
    assert same.version == first.version
    changed = services.evidence_link_set(assumption=assumption, evidence=evidence, relation="challenges", user=analyst)
    assert changed.pk == first.pk
    assert changed.version > first.version
    assert EvidenceLink.objects.count() == 1


def test_reordering_must_name_every_assumption_once(assessment, analyst):
    a1 = make_assumption(assessment, analyst)
    a2 = make_assumption(assessment, analyst)
    services.assumption_reorder(assessment=assessment, user=analyst, ordered_ids=[a2.pk, a1.pk])
    assert list(Assumption.objects.filter(assessment=assessment).values_list("key", flat=True)) == ["A2", "A1"]
    assert a2.history.get(action=Change.Action.MOVED).changes == {"order": [2, 1]}
    with pytest.raises(ValidationError):
        services.assumption_reorder(assessment=assessment, user=analyst, ordered_ids=[a2.pk])


def test_a_solid_unchallenged_assumption_cannot_become_a_collection_requirement(assumption, analyst):
    with pytest.raises(ValidationError, match="unsupported, challenged or flagged"):
        services.requirement_create(assumption=assumption, user=analyst, need="More", due=None)


def test_an_unsupported_assumption_becomes_a_collection_requirement_listed_on_the_assessment(assessment, analyst):
    assumption = make_assumption(assessment, analyst, confidence="unsupported", impact="high")
    due = timezone.localdate() + datetime.timedelta(days=30)
    requirement = services.requirement_create(
        assumption=assumption, user=analyst, need="Any AQIM-linked network in France", due=due
    )
    assert list(assessment.collection_requirements.all()) == [requirement]
    assert assumption.history.filter(action=Change.Action.REQUIREMENT).exists()


def test_a_challenged_assumption_becomes_a_collection_requirement(assumption, analyst):
    services.assumption_update(
        assumption=assumption, expected_version=assumption.version, user=analyst, reason="E7", status="challenged"
    )
    requirement = services.requirement_create(assumption=assumption, user=analyst, need="Confirm", due=None)
    assert requirement.status == "open"


def test_completing_the_check_numbers_the_rounds_and_tells_the_team(assumption, supervisor, assessment):
    first = services.check_complete(assessment=assessment, user=supervisor, note="Round one done")
    second = services.check_complete(assessment=assessment, user=supervisor)
    assert (first.number, second.number) == (1, 2)
    assert first.summary["assumptions"] == 1
    review = Activity.objects.filter(assessment=assessment, kind=Activity.Kind.REVIEW).first()
    assert "round 2" in review.message


def test_an_empty_check_cannot_be_completed(assessment, supervisor):
    with pytest.raises(ValidationError, match="Record the key assumptions"):
        services.check_complete(assessment=assessment, user=supervisor)
    assert not CheckRound.objects.exists()


def test_the_check_cannot_be_completed_while_an_assumption_needs_recheck(assumption, supervisor, assessment):
    Assumption.objects.filter(pk=assumption.pk).update(needs_recheck=True)
    with pytest.raises(ValidationError, match="Re-check A1"):
        services.check_complete(assessment=assessment, user=supervisor)
    assert not CheckRound.objects.exists()


def test_a_recheck_needs_a_reason(assumption, analyst):
    with pytest.raises(ValidationError, match="re-check found"):
        services.assumption_recheck(assumption=assumption, user=analyst, reason="")


def test_the_database_keeps_one_judgment_per_analyst_and_known_levels(assumption, analyst):
    Judgment.objects.create(assumption=assumption, analyst=analyst, confidence="solid", impact="low")
    with pytest.raises(IntegrityError), transaction.atomic():
        Judgment.objects.create(assumption=assumption, analyst=analyst, confidence="caveats", impact="low")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assumption.objects.filter(pk=assumption.pk).update(confidence="likely")


def test_the_database_keeps_assumption_keys_unique_within_an_assessment(assumption, assessment):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assumption.objects.create(assessment=assessment, key="A1", statement="Dup", confidence="solid", impact="low")

"""Duplicates and merge: marking, and a team admin's merge of two evidence items or two hypotheses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.ach import services as ach_services
from apps.ach.models import Rating, RatingConflict, StatedProbability
from apps.assessments import services
from apps.assessments.models import Activity, DuplicateMark, Evidence, Hypothesis
from apps.comments import services as comment_services
from apps.comments.models import Thread
from apps.core.versions import VersionConflict
from apps.indicators import services as indicator_services
from apps.indicators.models import Validation
from apps.key_assumptions import services as kac_services
from apps.key_assumptions.models import Change, EvidenceLink
from tests import factories
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _rate(assessment, analyst, evidence, hypothesis, label):
    ach_services.rating_set(
        assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
    )


def _ratings(analyst, evidence):
    return {
        r.hypothesis.key: r.get_value_display()
        for r in Rating.objects.filter(analyst=analyst, evidence=evidence).select_related("hypothesis")
    }


def _merge(kept, duplicate, user):
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    merge = services.evidence_merge if isinstance(kept, Evidence) else services.hypothesis_merge
    return merge(
        kept=kept, duplicate=duplicate, user=user, kept_version=kept.version, duplicate_version=duplicate.version
    )


def test_merging_evidence_reconciles_every_analysts_ratings_and_lists_the_differing_ones(
    assessment, analyst, teammate, team_admin
):
    e1, e2 = assessment.evidence.all()[:2]
    h1, h2, h3 = assessment.hypotheses.all()
    # alice: H1 kept only (C), H2 duplicate only (I), H3 both the same (N).
    _rate(assessment, analyst, e1, h1, "C")
    _rate(assessment, analyst, e2, h2, "I")
    _rate(assessment, analyst, e1, h3, "N")
    _rate(assessment, analyst, e2, h3, "N")
    # bob: H1 both different (CC kept, II duplicate), H2 both the same (C).
    _rate(assessment, teammate, e1, h1, "CC")
    _rate(assessment, teammate, e2, h1, "II")
    _rate(assessment, teammate, e1, h2, "C")
    _rate(assessment, teammate, e2, h2, "C")

    kept = _merge(e1, e2, team_admin)

    assert not Evidence.objects.filter(pk=e2.pk).exists()
    assert _ratings(analyst, kept) == {"H1": "C", "H2": "I", "H3": "N"}
    assert _ratings(teammate, kept) == {"H1": "CC", "H2": "C"}
    assert not Rating.objects.filter(evidence_id=e2.pk).exists()
    [conflict] = RatingConflict.objects.all()
    assert (conflict.analyst, conflict.evidence, conflict.hypothesis) == (teammate, kept, h1)
    assert (conflict.get_kept_value_display(), conflict.get_duplicate_value_display()) == ("CC", "II")
    assert conflict.duplicate_key == "E2"
    assert not RatingConflict.objects.filter(analyst=analyst).exists()


def test_rating_the_cell_again_settles_it_even_with_the_same_value(assessment, analyst, team_admin):
    e1, e2 = assessment.evidence.all()[:2]
    h1 = assessment.hypotheses.first()
    _rate(assessment, analyst, e1, h1, "C")
    _rate(assessment, analyst, e2, h1, "I")
    kept = _merge(e1, e2, team_admin)
    assert RatingConflict.objects.filter(analyst=analyst).count() == 1
    _rate(assessment, analyst, kept, h1, "C")
    assert not RatingConflict.objects.exists()
    assert _ratings(analyst, kept) == {"H1": "C"}


def test_merging_hypotheses_reconciles_ratings_per_evidence_row(assessment, analyst, team_admin):
    e1, e2, e3 = assessment.evidence.all()[:3]
    h1, h2, _ = assessment.hypotheses.all()
    _rate(assessment, analyst, e1, h1, "C")  # kept only
    _rate(assessment, analyst, e2, h2, "II")  # duplicate only
    _rate(assessment, analyst, e3, h1, "I")  # both, different
    _rate(assessment, analyst, e3, h2, "CC")
    kept = _merge(h1, h2, team_admin)
    assert not Hypothesis.objects.filter(pk=h2.pk).exists()
    assert {r.evidence.key: r.get_value_display() for r in Rating.objects.filter(analyst=analyst, hypothesis=kept)} == {
        "E1": "C",
        "E2": "II",
        "E3": "I",
    }
    [conflict] = RatingConflict.objects.all()
    assert (conflict.evidence, conflict.hypothesis, conflict.duplicate_key) == (e3, kept, "H2")


def test_explicit_priors_keep_summing_to_one(assessment, analyst, team_admin):
    h1, h2, h3 = assessment.hypotheses.all()
    services.priors_set(assessment=assessment, user=analyst, priors={h1.pk: 0.5, h2.pk: 0.3, h3.pk: 0.2})
    kept = _merge(h1, h2, team_admin)
    assert kept.prior == pytest.approx(0.8)
    assert sum(h.prior for h in assessment.hypotheses.all()) == pytest.approx(1.0)


def test_stated_probabilities_of_a_merged_hypothesis_join_the_kept_ones(assessment, analyst, team_admin):
    h1, h2, h3 = assessment.hypotheses.all()
    ach_services.stated_probabilities_set(
        assessment=assessment, analyst=analyst, percents={"H1": 50, "H2": 30, "H3": 20}
    )
    _merge(h1, h2, team_admin)
    assert {p.hypothesis.key: p.percent for p in StatedProbability.objects.all()} == {"H1": 80, "H3": 20}


def test_comments_and_links_move_to_the_kept_item(assessment, analyst, team_admin):
    e1, e2, e3 = assessment.evidence.all()[:3]
    h1 = assessment.hypotheses.first()
    evidence_thread = comment_services.thread_start(
        assessment=assessment, user=team_admin, body="Same report?", evidence_id=e2.pk
    )
    _rate(assessment, analyst, e2, h1, "C")
    for hypothesis in assessment.hypotheses.all()[1:]:
        _rate(assessment, analyst, e2, hypothesis, "N")
    cell_thread = comment_services.thread_start(
        assessment=assessment, user=analyst, body="Why C?", evidence_id=e2.pk, hypothesis_id=h1.pk
    )
    both, only_duplicate = make_assumption(assessment, analyst), make_assumption(assessment, analyst)
    kac_services.evidence_link_set(assumption=both, evidence=e1, relation="supports", user=analyst)
    kac_services.evidence_link_set(assumption=both, evidence=e2, relation="challenges", user=analyst)
    kac_services.evidence_link_set(assumption=only_duplicate, evidence=e2, relation="supports", user=analyst)
    indicator = make_indicator(assessment, analyst)
    indicator_services.observation_add(
        indicator=indicator,
        user=analyst,
        status="emerging",
        source="Wire",
        on=datetime.date(2026, 1, 1),
        evidence_id=e2.pk,
    )

    kept = _merge(e1, e2, team_admin)

    assert Thread.objects.get(pk=evidence_thread.pk).evidence == kept
    assert (Thread.objects.get(pk=cell_thread.pk).evidence, Thread.objects.get(pk=cell_thread.pk).hypothesis) == (
        kept,
        h1,
    )
    # The kept item's own link to an assumption stands; the duplicate's other link moves, noted in its history.
    assert EvidenceLink.objects.get(assumption=both).relation == "supports"
    assert EvidenceLink.objects.get(assumption=only_duplicate).evidence == kept
    assert Change.objects.filter(assumption=only_duplicate, reason="E2 merged into E1").exists()
    assert indicator.observations.get().evidence == kept


def test_a_merged_hypothesis_moves_support_and_validations(assessment, analyst, teammate, team_admin):
    h1, h2, _ = assessment.hypotheses.all()
    assumption = make_assumption(assessment, analyst)
    assumption.supports.set([h2])
    indicator = make_indicator(assessment, analyst)
    Validation.objects.filter(indicator=indicator).delete()
    Validation.objects.create(indicator=indicator, hypothesis=h1, analyst=analyst, likelihood="likely")
    Validation.objects.create(indicator=indicator, hypothesis=h2, analyst=analyst, likelihood="unlikely")
    Validation.objects.create(indicator=indicator, hypothesis=h2, analyst=teammate, likelihood="unlikely")
    kept = _merge(h1, h2, team_admin)
    assert list(assumption.supports.all()) == [kept]
    assert {(v.analyst.username, v.likelihood) for v in Validation.objects.filter(hypothesis=kept)} == {
        ("alice", "likely"),
        ("bob", "unlikely"),
    }


def test_the_feed_records_the_merge_with_before_and_after_and_no_counts_of_ratings(assessment, analyst, team_admin):
    e1, e2 = assessment.evidence.all()[:2]
    h1 = assessment.hypotheses.first()
    _rate(assessment, analyst, e2, h1, "C")
    version = assessment.__class__.objects.get(pk=assessment.pk).content_version
    _merge(e1, e2, team_admin)
    activity = Activity.objects.filter(data__action="merge").get()
    assert activity.actor == team_admin and activity.version == version + 1
    assert activity.message.startswith("Evidence E2 merged into E1")
    assert activity.data["before"]["E2"]["summary"] == "Evidence item 2"
    assert activity.data["after"] == {"E1": activity.data["before"]["E1"]}
    assert "rating" not in str(activity.data["moved"])
    # The rating's own history says who moved it.
    moved = Rating.history.filter(evidence_id=e1.pk, history_type="~").get()
    assert moved.history_user == team_admin


def test_the_merge_enqueues_a_rescoring_on_commit(assessment, team_admin, django_capture_on_commit_callbacks):
    e1, e2 = assessment.evidence.all()[:2]
    with django_capture_on_commit_callbacks() as callbacks:
        _merge(e1, e2, team_admin)
    assert callbacks, "no rescoring requested on commit"
    assessment.refresh_from_db()
    assert assessment.last_change == "E2 merged into E1"


def test_a_mark_names_the_pair_and_the_merge_clears_it(assessment, analyst, team_admin):
    e1, e2, e3 = assessment.evidence.all()[:3]
    services.duplicate_mark(item=e2, of=e1, user=analyst, note="Same wire story")
    services.duplicate_mark(item=e3, of=e2, user=analyst)
    _merge(e1, e2, team_admin)
    [mark] = DuplicateMark.objects.all()
    assert (mark.item, mark.of) == (e3, e1)


def test_marking_refuses_itself_and_a_reversed_pair(assessment, analyst):
    e1, e2 = assessment.evidence.all()[:2]
    with pytest.raises(ValidationError):
        services.duplicate_mark(item=e1, of=e1, user=analyst)
    services.duplicate_mark(item=e2, of=e1, user=analyst)
    with pytest.raises(ValidationError):
        services.duplicate_mark(item=e1, of=e2, user=analyst)
    assert DuplicateMark.objects.count() == 1


def test_an_analyst_may_mark_but_not_merge(assessment, analyst):
    e1, e2 = assessment.evidence.all()[:2]
    services.duplicate_mark(item=e2, of=e1, user=analyst)
    with pytest.raises(PermissionDenied):
        _merge(e1, e2, analyst)
    assert Evidence.objects.filter(pk=e2.pk).exists()


def test_a_supervisor_may_neither_mark_nor_merge(assessment, supervisor):
    e1, e2 = assessment.evidence.all()[:2]
    with pytest.raises(PermissionDenied):
        services.duplicate_mark(item=e2, of=e1, user=supervisor)
    with pytest.raises(PermissionDenied):
        _merge(e1, e2, supervisor)


def test_a_site_admin_may_merge(assessment):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    e1, e2 = assessment.evidence.all()[:2]
    _merge(e1, e2, admin)
    assert not Evidence.objects.filter(pk=e2.pk).exists()


def test_a_stale_version_is_refused(assessment, analyst, team_admin):
    e1, e2 = assessment.evidence.all()[:2]
    with pytest.raises(VersionConflict):
        services.evidence_merge(kept=e1, duplicate=e2, user=team_admin, kept_version=e1.version, duplicate_version=0)
    assert Evidence.objects.filter(pk=e2.pk).exists()


def test_a_frozen_assessment_refuses_a_merge_and_a_mark(assessment, analyst, supervisor, team_admin):
    e1, e2 = assessment.evidence.all()[:2]
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    services.assessment_review(assessment=assessment, user=supervisor, action="approve")
    with pytest.raises(PermissionDenied):
        _merge(e1, e2, team_admin)
    with pytest.raises(PermissionDenied):
        services.duplicate_mark(item=e2, of=e1, user=analyst)
    assert Evidence.objects.filter(pk=e2.pk).exists() and not DuplicateMark.objects.exists()

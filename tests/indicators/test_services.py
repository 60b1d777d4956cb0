"""Status, warnings and tension through the real task path: service → on_commit → rescore_assessment."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.ach.services import rating_set
from apps.assessments.models import Activity, Assessment, Notification, ScoreSnapshot
from apps.indicators import services
from apps.indicators.models import Indicator, Observation, Validation
from apps.indicators.results import alerts_for
from tests import factories

from .conftest import make_indicator, validate

pytestmark = pytest.mark.django_db(transaction=True)


def _latest(assessment) -> ScoreSnapshot:
    return ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version").first()


def _observe(indicator, user, status, days_ago=0, **extra):
    return services.observation_add(
        indicator=indicator,
        user=user,
        status=status,
        source="Liaison report",
        on=timezone.localdate() - timedelta(days=days_ago),
        **extra,
    )


def test_the_rescoring_stores_each_indicators_status_threshold_and_diagnosticity(analyst, assessment, indicator):
    validate(indicator, analyst, {"H1": "highly_likely", "H2": "unlikely", "H3": "unlikely"})
    _observe(indicator, analyst, "not_observed")
    stored = _latest(assessment).results["indicators"]["indicators"]["IND1"]
    assert stored["status"] == "not_observed"
    assert stored["threshold"] == "emerging"
    assert stored["reached"] is False
    assert stored["diagnosticity"] == 0.6
    assert _latest(assessment).version == Assessment.objects.get(pk=assessment.pk).content_version


def test_an_observation_at_the_threshold_records_a_warning_notifies_the_team_and_emails_it(
    analyst, teammate, assessment, indicator, mailoutbox
):
    _observe(indicator, analyst, "not_observed")
    mailoutbox.clear()
    _observe(indicator, analyst, "emerging")
    warning = Activity.objects.get(assessment=assessment, kind="warning", data__code="indicator_threshold:IND1")
    assert "IND1 reached its warning threshold (Emerging): now Emerging" in warning.message
    assert warning.data in _latest(assessment).alerts
    assert Notification.objects.filter(activity=warning, user=teammate).exists()
    # The rescoring, not a person, raises it: every member hears, the analyst who set the status too.
    assert [sorted(m.to) for m in mailoutbox if "warning" in m.subject] == [["alice@example.org", "bob@example.org"]]


def test_a_status_below_the_threshold_raises_no_warning(analyst, assessment):
    indicator = make_indicator(assessment, analyst, threshold="partially_present")
    _observe(indicator, analyst, "emerging")
    assert not Activity.objects.filter(assessment=assessment, kind="warning").exists()


def test_an_indicator_warns_once_when_it_crosses_not_again_while_it_stays_above(analyst, assessment, indicator):
    _observe(indicator, analyst, "emerging")
    _observe(indicator, analyst, "fully_present")
    assert Activity.objects.filter(assessment=assessment, kind="warning").count() == 1


def test_falling_back_and_crossing_again_warns_again(analyst, assessment, indicator):
    _observe(indicator, analyst, "emerging")
    _observe(indicator, analyst, "not_observed")
    _observe(indicator, analyst, "partially_present")
    assert Activity.objects.filter(assessment=assessment, kind="warning").count() == 2


def test_a_backdated_observation_does_not_replace_the_current_status(analyst, assessment, indicator):
    _observe(indicator, analyst, "not_observed", days_ago=1)
    _observe(indicator, analyst, "fully_present", days_ago=30)
    assert _latest(assessment).results["indicators"]["indicators"]["IND1"]["status"] == "not_observed"
    assert not Activity.objects.filter(assessment=assessment, kind="warning").exists()


def test_lowering_the_threshold_onto_the_current_status_warns(analyst, assessment):
    indicator = make_indicator(assessment, analyst, threshold="fully_present")
    _observe(indicator, analyst, "partially_present")
    services.indicator_update(
        indicator=indicator, expected_version=indicator.version, user=analyst, threshold="partially_present"
    )
    assert Activity.objects.filter(
        assessment=assessment, kind="warning", data__code="indicator_threshold:IND1"
    ).exists()


def test_observed_indicators_favouring_another_hypothesis_than_the_ach_leader_raise_a_tension_alert(
    analyst, assessment, indicator
):
    evidence = assessment.evidence.order_by("order").first()
    h1, h2, h3 = assessment.hypotheses.order_by("order")
    # ACH: E1 is very consistent with H1 and very inconsistent with H2 and H3, so H1 leads.
    for hypothesis, label in ((h1, "CC"), (h2, "II"), (h3, "II")):
        rating_set(
            assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
        )
    assert _latest(assessment).results["ach"]["leader_by_posterior"] == "H1"
    validate(indicator, analyst, {"H1": "highly_unlikely", "H2": "highly_likely", "H3": "unlikely"})
    _observe(indicator, analyst, "fully_present")
    results = _latest(assessment).results["indicators"]
    assert results["favoured"] == "H2"
    alert = Activity.objects.get(assessment=assessment, kind="alert", data__code="indicators_tension:H2:H1")
    assert "favour H2, but the ACH leader by posterior is H1" in alert.message
    # Unchanged tension on the next rescoring: no second alert.
    _observe(indicator, analyst, "fully_present")
    assert Activity.objects.filter(assessment=assessment, data__code="indicators_tension:H2:H1").count() == 1


def test_not_observed_for_a_whole_review_period_counts_against_the_hypotheses_expecting_it(
    analyst, assessment, indicator
):
    validate(indicator, analyst, {"H1": "highly_likely", "H2": "unlikely", "H3": "unlikely"})
    # Cadence 90 days; looked and not seen 100 days ago and again 10 days ago (Grabo: the run began a
    # cadence ago and the latest look is recent).
    _observe(indicator, analyst, "not_observed", days_ago=100)
    _observe(indicator, analyst, "not_observed", days_ago=10)
    results = _latest(assessment).results["indicators"]
    assert results["indicators"]["IND1"]["negative"] is True
    # ln(1 - 0.9) for H1 against ln(1 - 0.3) for H2 and H3: a tie between H2 and H3, so no favourite,
    # but H1 is the least supported.
    assert results["support"]["H1"] < results["support"]["H2"] == results["support"]["H3"]


def test_no_information_counts_neither_for_nor_against(analyst, assessment, indicator):
    validate(indicator, analyst, {"H1": "highly_likely", "H2": "unlikely", "H3": "unlikely"})
    _observe(indicator, analyst, "no_information", days_ago=400)
    results = _latest(assessment).results["indicators"]
    assert results["indicators"]["IND1"]["negative"] is False
    assert results["counted"] == 0


def test_reviewing_restarts_the_cadence(analyst, assessment, indicator):
    assert _latest(assessment).results["indicators"]["indicators"]["IND1"]["due"] is True
    services.indicator_review(indicator=indicator, user=analyst)
    stored = _latest(assessment).results["indicators"]["indicators"]["IND1"]
    assert stored["due"] is False
    assert stored["next_review"] == (timezone.localdate() + timedelta(days=90)).isoformat()


def test_each_analyst_keeps_their_own_rating_and_the_team_value_is_their_mean(analyst, teammate, assessment, indicator):
    validate(indicator, analyst, {"H1": "likely"})
    validate(indicator, teammate, {"H1": "could"})
    validate(indicator, analyst, {"H1": "highly_likely"})
    assert set(Validation.objects.values_list("analyst__username", "likelihood")) == {
        ("alice", "highly_likely"),
        ("bob", "could"),
    }
    # (0.9 + 0.5) / 2 = 0.7
    assert _latest(assessment).results["indicators"]["indicators"]["IND1"]["team"]["H1"] == 0.7


def test_a_future_observation_is_refused_and_changes_nothing(analyst, assessment, indicator):
    version = Assessment.objects.get(pk=assessment.pk).content_version
    with pytest.raises(ValidationError, match="future"):
        _observe(indicator, analyst, "emerging", days_ago=-1)
    assert not Observation.objects.exists()
    assert Assessment.objects.get(pk=assessment.pk).content_version == version


def test_an_unknown_status_is_refused(analyst, indicator):
    with pytest.raises(ValidationError):
        _observe(indicator, analyst, "imminent")
    assert not Observation.objects.exists()


def test_evidence_of_another_assessment_cannot_be_linked(analyst, team, indicator):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    with pytest.raises(ValidationError, match="not part of this assessment"):
        _observe(indicator, analyst, "emerging", evidence_id=other.evidence.first().pk)
    assert not Observation.objects.exists()


def test_a_hypothesis_of_another_assessment_cannot_be_rated(analyst, team, indicator):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    with pytest.raises(ValidationError, match="not part of this assessment"):
        services.validation_set(
            indicator=indicator, analyst=analyst, hypothesis_id=other.hypotheses.first().pk, likelihood="likely"
        )
    with pytest.raises(ValidationError, match="Unknown likelihood"):
        validate(indicator, analyst, {"H1": "probable"})
    assert not Validation.objects.exists()


def test_new_indicators_take_the_next_key_even_after_a_deletion(analyst, assessment, indicator):
    second = make_indicator(assessment, analyst)
    services.indicator_delete(indicator=second, user=analyst)
    assert make_indicator(assessment, analyst).key == "IND3"
    assert list(Indicator.objects.values_list("key", flat=True)) == ["IND1", "IND3"]


def test_renamed_status_steps_appear_in_the_warning(analyst, assessment, indicator):
    labels = {
        "no_information": "Dark",
        "not_observed": "Quiet",
        "emerging": "Stirring",
        "partially_present": "Building",
        "fully_present": "Here",
    }
    services.status_labels_set(assessment=assessment, user=analyst, labels=labels)
    _observe(indicator, analyst, "emerging")
    assert "now Stirring" in Activity.objects.get(assessment=assessment, kind="warning").message


def test_status_steps_need_distinct_non_empty_names(analyst, assessment):
    with pytest.raises(ValidationError) as caught:
        services.status_labels_set(
            assessment=assessment,
            user=analyst,
            labels={
                "no_information": "Same",
                "not_observed": "same",
                "emerging": "",
                "partially_present": "B",
                "fully_present": "C",
            },
        )
    assert set(caught.value.message_dict) == {"emerging", "__all__"}


def test_the_first_snapshot_sums_up_every_indicator_already_at_its_threshold_in_one_warning():
    current = {
        "status_labels": {},
        "indicators": {
            "IND1": {"reached": True, "status": "emerging", "threshold": "emerging", "statement": "a"},
            "IND2": {"reached": False, "status": "not_observed", "threshold": "emerging", "statement": "b"},
            "IND3": {"reached": True, "status": "fully_present", "threshold": "emerging", "statement": "c"},
        },
    }
    alerts = alerts_for(None, current)
    assert [a["code"] for a in alerts] == ["indicators_at_threshold"]
    assert alerts[0]["message"] == (
        "2 indicators already at or past their warning threshold: IND1 (Emerging), IND3 (Fully present)."
    )
    assert alerts_for(None, {"indicators": {}}) == []


def test_the_sweep_rescores_assessments_with_indicators_last_scored_on_an_earlier_day(analyst, assessment, indicator):
    from apps.assessments.selectors import assessments_outdated
    from apps.assessments.services import snapshot_compute, snapshot_sweep

    validate(indicator, analyst, {"H1": "highly_likely", "H2": "unlikely", "H3": "unlikely"})
    snapshot_compute(assessment_id=assessment.pk)
    assert assessment.pk not in assessments_outdated()
    ScoreSnapshot.objects.filter(assessment=assessment).update(created_at=timezone.now() - timedelta(days=1))
    assert assessments_outdated() == [assessment.pk]
    version = Assessment.objects.get(pk=assessment.pk).content_version
    snapshot_sweep()
    # The sweep moved the version on and the rescoring (in-process here) scored it today.
    assert Assessment.objects.get(pk=assessment.pk).content_version == version + 1
    assert _latest(assessment).version == version + 1
    assert assessments_outdated() == []


def _approve(assessment, analyst, supervisor):
    from apps.assessments.services import assessment_review

    assessment_review(assessment=assessment, user=analyst, action="submit")
    assessment_review(assessment=assessment, user=supervisor, action="approve")


def _archive(assessment, analyst, supervisor):
    from apps.assessments.services import assessment_archive

    assessment_archive(assessment=assessment, user=supervisor)


def _resolve(assessment, analyst, supervisor):
    from apps.ach.services import assessment_resolve

    assessment_resolve(assessment=assessment, user=supervisor, outcome="H1", resolved_on=timezone.localdate())


def _reopen(assessment, analyst, supervisor):
    from apps.assessments.services import assessment_review

    assessment_review(assessment=assessment, user=supervisor, action="reopen")


def _restore(assessment, analyst, supervisor):
    from apps.assessments.services import assessment_restore

    assessment_restore(assessment=assessment, user=supervisor)


def _unresolve(assessment, analyst, supervisor):
    from apps.ach.services import assessment_unresolve

    assessment_unresolve(assessment=assessment, user=supervisor, reason="Outcome disputed")


@pytest.mark.parametrize(
    ("freeze", "thaw"),
    [(_approve, _reopen), (_archive, _restore), (_resolve, _unresolve)],
    ids=["approved", "archived", "resolved"],
)
def test_the_sweep_leaves_a_frozen_assessment_as_it_was_frozen_and_catches_up_once_it_thaws(
    analyst, supervisor, assessment, indicator, freeze, thaw
):
    from apps.assessments.selectors import assessments_outdated
    from apps.assessments.services import snapshot_sweep

    validate(indicator, analyst, {"H1": "highly_likely", "H2": "unlikely", "H3": "unlikely"})
    freeze(assessment, analyst, supervisor)
    ScoreSnapshot.objects.filter(assessment=assessment).update(created_at=timezone.now() - timedelta(days=1))
    frozen = Assessment.objects.get(pk=assessment.pk)
    snapshots = list(ScoreSnapshot.objects.filter(assessment=assessment).values("version", "results", "alerts"))
    activities = Activity.objects.filter(assessment=assessment).count()
    assert assessments_outdated() == []
    snapshot_sweep()
    after = Assessment.objects.get(pk=assessment.pk)
    assert (after.content_version, after.last_change, after.updated_at) == (
        frozen.content_version,
        frozen.last_change,
        frozen.updated_at,
    )
    assert list(ScoreSnapshot.objects.filter(assessment=assessment).values("version", "results", "alerts")) == snapshots
    assert Activity.objects.filter(assessment=assessment).count() == activities
    thaw(after, analyst, supervisor)
    ScoreSnapshot.objects.filter(assessment=assessment).update(created_at=timezone.now() - timedelta(days=1))
    assert assessments_outdated() == [assessment.pk]
    snapshot_sweep()
    assert (
        _latest(assessment).version == Assessment.objects.get(pk=assessment.pk).content_version > frozen.content_version
    )

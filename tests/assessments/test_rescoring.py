"""Content versions, the idempotent rescoring, the sweep and the alert rules."""

import pytest

from apps.ach.results import alerts_for, results_compute
from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.models import Activity, Assessment, Notification, RescoreQueue, ScoreSnapshot

pytestmark = pytest.mark.django_db


def test_every_change_bumps_the_content_version(analyst, assessment):
    evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.first()
    versions = [assessment.content_version]
    rating_set(assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label="C")
    versions.append(Assessment.objects.get(pk=assessment.pk).content_version)
    services.evidence_update(evidence=evidence, expected_version=evidence.version, user=analyst, credibility="high")
    versions.append(Assessment.objects.get(pk=assessment.pk).content_version)
    services.hypothesis_create(assessment=assessment, user=analyst, statement="new")
    versions.append(Assessment.objects.get(pk=assessment.pk).content_version)
    assert versions == sorted(set(versions))


def test_a_batch_of_evidence_is_one_version_and_records_which_version_added_it(analyst, assessment):
    created = services.evidence_add(
        assessment=assessment, user=analyst, items=[{"summary": "a"}, {"summary": "b"}], via="t"
    )
    assessment.refresh_from_db()
    assert {e.added_in_version for e in created} == {assessment.content_version}


def test_a_snapshot_records_the_version_it_scored_and_what_triggered_it(analyst, assessment):
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    assert snapshot.version == assessment.content_version
    assert snapshot.results["ach"] == results_compute(assessment)
    assert snapshot.trigger_evidence == ["E1", "E2", "E3", "E4", "E5"]


def test_rescoring_an_already_scored_version_does_nothing(assessment):
    assert services.snapshot_compute(assessment_id=assessment.pk) is not None
    assert services.snapshot_compute(assessment_id=assessment.pk) is None
    assert ScoreSnapshot.objects.filter(assessment=assessment).count() == 1


def test_the_next_snapshot_names_only_the_evidence_added_since_the_last(analyst, assessment):
    services.snapshot_compute(assessment_id=assessment.pk)
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "late"}], via="t")
    assert services.snapshot_compute(assessment_id=assessment.pk).trigger_evidence == ["E6"]


def test_sweep_finds_assessments_behind_their_content_version(analyst, assessment, monkeypatch):
    sent = []
    monkeypatch.setattr("apps.assessments.tasks.rescore_assessment.apply_async", lambda args, **k: sent.append(args[0]))
    services.snapshot_compute(assessment_id=assessment.pk)
    assert services.snapshot_sweep() == []
    services.evidence_add(assessment=assessment, user=analyst, items=[{"summary": "late"}], via="t")
    assert services.snapshot_sweep() == [assessment.pk]
    assert sent == [assessment.pk]


def test_a_queued_rescoring_is_not_enqueued_twice(assessment, monkeypatch):
    sent = []
    monkeypatch.setattr("apps.assessments.tasks.rescore_assessment.apply_async", lambda args, **k: sent.append(args[0]))
    RescoreQueue.objects.filter(assessment=assessment).update(queued=False)
    assert services.rescore_request(assessment_id=assessment.pk) is True
    assert services.rescore_request(assessment_id=assessment.pk) is False
    assert sent == [assessment.pk]


def test_a_claim_past_its_lease_is_taken_over_by_the_next_request(assessment, monkeypatch, settings):
    from datetime import timedelta

    from django.utils import timezone

    sent = []
    monkeypatch.setattr("apps.assessments.tasks.rescore_assessment.apply_async", lambda args, **k: sent.append(args[0]))
    settings.RESCORE_CLAIM_LEASE_SECONDS = 30
    queue = RescoreQueue.objects.filter(assessment=assessment)
    queue.update(queued=True, queued_at=timezone.now() - timedelta(seconds=20))
    assert services.rescore_request(assessment_id=assessment.pk) is False
    queue.update(queued=True, queued_at=timezone.now() - timedelta(seconds=31))
    assert services.rescore_request(assessment_id=assessment.pk) is True
    assert sent == [assessment.pk]
    assert queue.get().queued_at > timezone.now() - timedelta(seconds=5)


def test_a_broker_failure_unclaims_so_the_sweep_can_retry(assessment, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("apps.assessments.tasks.rescore_assessment.apply_async", broken)
    RescoreQueue.objects.filter(assessment=assessment).update(queued=False)
    assert services.rescore_request(assessment_id=assessment.pk) is False
    assert RescoreQueue.objects.get(assessment=assessment).queued is False


@pytest.mark.django_db(transaction=True)
def test_saving_evidence_rescores_on_commit(team, analyst):
    from tests.factories import assessment_with_matrix

    assessment = assessment_with_matrix(team=team, user=analyst)
    latest = ScoreSnapshot.objects.filter(assessment=assessment).order_by("-version").first()
    assert latest.version == Assessment.objects.get(pk=assessment.pk).content_version


def _results(leader_wi="H1", leader_post="H1", linchpins=(), strong=None):
    return {
        "leader_by_inconsistency": leader_wi,
        "leader_by_posterior": leader_post,
        "linchpins": {"linchpin_inconsistency": list(linchpins), "linchpin_posterior": []},
        "strong_disagreements": strong or {},
    }


def test_the_first_snapshot_is_a_baseline_without_alerts():
    assert alerts_for(None, _results(linchpins=("E1",))) == []


def test_a_change_of_leader_raises_an_alert():
    alerts = alerts_for(_results(), _results(leader_wi="H2"))
    assert [a["code"] for a in alerts] == ["leader_changed:leader_by_inconsistency"]
    assert "from H1 to H2" in alerts[0]["message"]


def test_a_new_linchpin_raises_an_alert_once():
    assert [a["code"] for a in alerts_for(_results(), _results(linchpins=("E2",)))] == [
        "new_linchpin:linchpin_inconsistency:E2"
    ]
    assert alerts_for(_results(linchpins=("E2",)), _results(linchpins=("E2",))) == []


def test_a_flood_of_new_linchpins_is_one_alert_naming_the_first_few():
    five = [f"E{i}" for i in range(1, 6)]
    assert len(alerts_for(_results(), _results(linchpins=five))) == 5
    many = [f"E{i}" for i in range(1, 201)]
    (alert,) = alerts_for(_results(), _results(linchpins=many))
    assert alert["code"] == "new_linchpins:linchpin_inconsistency:200"
    assert "200 items are now linchpins (weighted inconsistency): E1, E2, E3, E4, E5 and 195 more" in alert["message"]
    # Only the new ones count.
    (alert,) = alerts_for(_results(linchpins=many[:190]), _results(linchpins=many))
    assert alert["message"].startswith("10 items are now linchpins") and "E191, E192" in alert["message"]


def test_a_flood_of_strong_disagreements_is_one_alert_per_band():
    strong = {f"E{i}|H1": "large" for i in range(1, 9)} | {"E9|H2": "extreme"}
    codes = sorted(a["code"] for a in alerts_for(_results(), _results(strong=strong)))
    assert codes == ["disagreement:E9|H2:extreme", "disagreements:large:8"]
    (grouped,) = [a for a in alerts_for(_results(), _results(strong=strong)) if a["code"].startswith("disagreements")]
    assert grouped["message"] == (
        "Analysts' disagreement is now large on 8 cells: E1 × H1, E2 × H1, E3 × H1, E4 × H1, E5 × H1 and 3 more."
    )


def test_disagreement_becoming_large_or_extreme_raises_an_alert():
    before = _results(strong={"E1|H1": "large"})
    after = _results(strong={"E1|H1": "extreme", "E2|H2": "large"})
    codes = sorted(a["code"] for a in alerts_for(before, after))
    assert codes == ["disagreement:E1|H1:extreme", "disagreement:E2|H2:large"]
    assert alerts_for(after, _results(strong={"E1|H1": "large"})) == []


def test_an_alert_lands_in_the_activity_feed_and_notifies_the_team(
    analyst, teammate, supervisor, assessment, send_digests
):
    services.snapshot_compute(assessment_id=assessment.pk)
    evidence = list(assessment.evidence.order_by("order"))
    hypotheses = list(assessment.hypotheses.order_by("order"))
    # Both analysts rate one cell at opposite ends of the scale: extreme disagreement.
    rating_set(
        assessment=assessment, analyst=analyst, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="CC"
    )
    rating_set(
        assessment=assessment, analyst=teammate, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="II"
    )
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    codes = [a["code"] for a in snapshot.alerts]
    assert "disagreement:E1|H1:extreme" in codes
    assert Activity.objects.filter(
        assessment=assessment, kind="alert", data__code="disagreement:E1|H1:extreme"
    ).exists()
    # One notification once the digest is due, which names the alert: the supervisor's (the analysts rated one
    # cell of the row each, so it is not theirs to hear of yet: apps.assessments.visibility).
    assert not Notification.objects.exists()
    send_digests()
    (notification,) = Notification.objects.filter(user=supervisor)
    assert not Notification.objects.filter(user=teammate).exists()
    assert "disagreement on E1 × H1 is now extreme" in notification.activity.message

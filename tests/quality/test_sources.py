"""Graded sources in the posterior, retraction, the register's doors (tests/conftest.py personas)."""

import datetime

import numpy as np
import pytest

from apps.ach import scoring
from apps.ach.results import results_compute
from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.exchange import assessment_export
from apps.assessments.models import Activity, Evidence, Source
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _matrix(team, user, rows, *, hypotheses=("H one", "H two"), **item_fields):
    """An assessment whose analyst rated each row as given ("CC II" …); item_fields per row index."""
    assessment = services.assessment_create(team=team, user=user, title="Sources", question="Which?")
    for statement in hypotheses:
        services.hypothesis_create(assessment=assessment, user=user, statement=statement)
    items = [
        {"summary": f"Item {i + 1}", "credibility": "medium", "relevance": "high", **item_fields.get(f"e{i + 1}", {})}
        for i in range(len(rows))
    ]
    services.evidence_add(assessment=assessment, user=user, items=items, via="test")
    hyps = list(assessment.hypotheses.order_by("order"))
    for evidence, row in zip(assessment.evidence.order_by("order"), rows, strict=True):
        for hypothesis, label in zip(hyps, row.split(), strict=True):
            rating_set(
                assessment=assessment, analyst=user, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
            )
    assessment.refresh_from_db()
    return assessment


def test_a_graded_item_weighs_grade_times_information_on_a_hand_worked_matrix(team, analyst):
    # One item rated [CC, II], relevance high (1.0), uniform priors; ℓ = .95 and .05 sum to 1, so H1 = p(H1).
    # Source B, information 2: r = .9 × .9 = .81, p(H1) = .81 × .95 + .19 × .5 = .8645.
    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Informant A", "information": 2})
    source = Source.objects.get(assessment=assessment)
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="B")
    assert results_compute(assessment)["team"]["H1"]["posterior"] == pytest.approx(0.8645)
    # Source E, information 5: r = .25 × .25 = .0625, p(H1) = .0625 × .95 + .9375 × .5 = .528125.
    source.refresh_from_db()
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="E")
    Evidence.objects.filter(assessment=assessment).update(information=5)
    assert results_compute(assessment)["team"]["H1"]["posterior"] == pytest.approx(0.528125)
    # Ungraded again: credibility medium (.7) × relevance high (1.0), p(H1) = .7 × .95 + .15 = .815, as before.
    source.refresh_from_db()
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="")
    assert results_compute(assessment)["team"]["H1"]["posterior"] == pytest.approx(0.815)


def test_a_graded_sources_items_share_its_n_beside_an_ungraded_item_on_a_hand_worked_matrix(team, analyst):
    # E1 [CC, II] and E2 [C, I] from Agent X, graded B, information 2: r = .81 each (relevance high), so
    # p(E1|H1) = .81 × .95 + .19 × .5 = .8645, p(E1|H2) = .1355, p(E2|H1) = .81 × .80 + .095 = .743, p(E2|H2) = .257.
    # One source, n = 2: its term is the mean, H1 ∝ √(.8645 × .743) = .80145, H2 ∝ √(.1355 × .257) = .18661.
    # E3 [I, C], of no source, medium credibility (r = .7): p(E3|H1) = .7 × .2 + .15 = .29, p(E3|H2) = .71.
    # H1 = .80145 × .29 / (.80145 × .29 + .18661 × .71) = .23242 / .36491 = 0.63692.
    assessment = _matrix(
        team,
        analyst,
        ["CC II", "C I", "I C"],
        e1={"origin": "Agent X", "information": 2},
        e2={"origin": "Agent X", "information": 2},
    )
    source = Source.objects.get(assessment=assessment)
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="B")
    assert results_compute(assessment)["team"]["H1"]["posterior"] == pytest.approx(0.63692, abs=1e-5)


def test_an_ungraded_matrix_scores_exactly_as_before(team, analyst):
    rows = ["CC I", "C II", "N C", "I CC", "II N"]
    origins = {"e1": {"origin": "Wire"}, "e2": {"origin": "wire "}, "e4": {"origin": "Informant"}}
    fields = {key: {**value, "credibility": "high"} for key, value in origins.items()} | {"e3": {"relevance": "low"}}
    assessment = _matrix(team, analyst, rows, **fields)
    items = list(assessment.evidence.order_by("order"))
    codes = np.array([[[scoring.RATING_CODES[label] for label in row.split()] for row in rows]], dtype=np.int8)
    # Today's rule, straight from the pure module: r(e) by low/medium/high, dependence by the origin text.
    before = scoring.score_assessment(
        codes,
        np.array([scoring.evidence_weight(e.credibility, e.relevance) for e in items]),
        np.full(2, 0.5),
        reliability=np.array([scoring.evidence_reliability(e.credibility, e.relevance) for e in items]),
        origins=scoring.origin_groups(["Wire", "wire ", "", "Informant", ""]),
    )
    now = results_compute(assessment)
    assert [now["team"][h]["posterior"] for h in ("H1", "H2")] == pytest.approx(before.team_posterior, abs=1e-12)
    assert [now["team"][h]["weighted_inconsistency"] for h in ("H1", "H2")] == pytest.approx(
        before.team_weighted_inconsistency, abs=1e-12
    )


def _scores(results: dict) -> dict:
    """Every score of a snapshot's ACH section but the per-source runs (which name the sources)."""
    return {key: value for key, value in results["ach"].items() if key != "sources"}


def test_retraction_equals_deleting_the_sources_items_and_restoring_gives_the_snapshot_back(
    team, analyst, teammate, supervisor
):
    rows = ["CC I", "C II", "I C", "CC N", "N II"]
    fields = {"e1": {"origin": "Agent X"}, "e2": {"origin": "Agent X"}, "e5": {"origin": "Wire"}}
    assessment = _matrix(team, analyst, rows, **fields)
    hyps = list(assessment.hypotheses.order_by("order"))
    for evidence in assessment.evidence.order_by("order"):
        for hypothesis, label in zip(hyps, ["C", "I"], strict=True):
            rating_set(
                assessment=assessment,
                analyst=teammate,
                evidence_id=evidence.pk,
                hypothesis_id=hypothesis.pk,
                label=label,
            )
    original = services.snapshot_compute(assessment_id=assessment.pk)
    source = Source.objects.get(assessment=assessment, name="Agent X")
    services.source_retract(source=source, user=supervisor, reason="fabricator", expected_version=source.version)
    retracted = services.snapshot_compute(assessment_id=assessment.pk)
    assert any(a["code"] == f"source_retracted:{source.key}" for a in retracted.alerts)
    assert any(a["code"] == f"source_effect:{source.key}" for a in retracted.alerts)
    assert Evidence.objects.filter(source_entry=source).count() == 2  # kept, only left out

    # The same assessment with the source's items deleted instead: every ACH score the same.
    twin = _matrix(team, analyst, rows, **fields)
    for evidence in twin.evidence.order_by("order"):
        for hypothesis, label in zip(list(twin.hypotheses.order_by("order")), ["C", "I"], strict=True):
            rating_set(
                assessment=twin, analyst=teammate, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
            )
    for evidence in twin.evidence.filter(origin="Agent X"):
        services.evidence_delete(evidence=evidence, user=analyst)
    deleted = services.snapshot_compute(assessment_id=twin.pk)
    assert _scores(retracted.results) == _scores(deleted.results)

    source.refresh_from_db()
    services.source_restore(source=source, user=supervisor, expected_version=source.version)
    restored = services.snapshot_compute(assessment_id=assessment.pk)
    assert restored.results["ach"] == original.results["ach"]
    assert any(a["code"] == f"source_restored:{source.key}" for a in restored.alerts)


def test_what_if_the_source_lies_is_in_the_snapshot_and_the_export(team, analyst):
    # Two items of one source rated [CC, II] and [C, I] (relevance high, credibility medium: r = .7) and one
    # independent item rated [N, N]: reversed, the source's ratings favour H2 as much as they favoured H1.
    assessment = _matrix(team, analyst, ["CC II", "C I", "N N"], e1={"origin": "Agent X"}, e2={"origin": "Agent X"})
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    run = snapshot.results["ach"]["sources"]["S1"]
    assert run["items"] == ["E1", "E2"]
    assert snapshot.results["ach"]["leader_by_posterior"] == "H1"
    assert run["reversed"]["leader"] == "H2" and run["without"]["leader"] == "H1"
    # Without the source only [N, N] is left: the priors, .5 each.
    assert run["without"]["posterior"]["H1"] == pytest.approx(0.5)
    h1 = snapshot.results["ach"]["team"]["H1"]["posterior"]
    assert run["reversed"]["posterior"]["H2"] == pytest.approx(h1)
    exported = assessment_export(assessment=assessment)
    assert exported["quality"]["sources"]["S1"]["reversed"]["leader"] == "H2"
    assert exported["sources"][0]["key"] == "S1" and exported["evidence"][0]["source_key"] == "S1"


def test_an_origin_becomes_a_source_and_a_file_round_trips_the_register(team, analyst):
    assessment = _matrix(team, analyst, ["CC II", "C I"], e1={"origin": "Agent  X"}, e2={"origin": "agent x"})
    source = Source.objects.get(assessment=assessment)
    assert source.name == "Agent X" and set(source.items.values_list("origin", flat=True)) == {"Agent X"}
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="D", grade_reason="paid")
    source.refresh_from_db()
    services.source_retract(source=source, user=analyst, reason="fabricator", expected_version=source.version)
    from apps.assessments.exchange import assessment_import

    copy = assessment_import(
        data={**assessment_export(assessment=assessment), "title": "Copy"}, team=team, user=analyst
    )
    twin = Source.objects.get(assessment=copy)
    assert (twin.key, twin.grade, twin.grade_reason, twin.retraction_reason) == ("S1", "D", "paid", "fabricator")
    assert twin.is_retracted and twin.items.count() == 2


def test_every_source_change_is_recorded_with_before_and_after(team, analyst):
    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="C")
    change = Activity.objects.filter(assessment=assessment, data__action="source_edit").get()
    assert change.actor == analyst and change.data["changes"] == {"grade": ["", "C"]}
    assert source.history.count() == 2


def test_register_page_for_analyst_supervisor_and_outsider(client, team, analyst, supervisor, outsider):
    assessment = _matrix(team, analyst, ["CC II", "C I"], e1={"origin": "Agent <X>"}, e2={"origin": "Agent <X>"})
    services.snapshot_compute(assessment_id=assessment.pk)
    url = f"/assessments/{assessment.pk}/sources/"
    page = login(client, analyst).get(url)
    assert page.status_code == 200
    assert "Agent &lt;X&gt;" in page.content.decode() and "Agent <X>" not in page.content.decode()
    assert "If it lies" in page.content.decode()
    assert login(client, supervisor).get(url).status_code == 200
    assert login(client, outsider).get(url).status_code == 404


def test_an_analyst_grades_and_a_supervisor_retracts_through_the_page(client, team, analyst, supervisor):
    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    base = f"/assessments/{assessment.pk}/sources/{source.pk}"
    response = login(client, analyst).post(
        f"{base}/edit/",
        {"S1-name": "Agent X", "S1-kind": "human", "S1-grade": "B", "S1-grade_reason": "vetted", "S1-version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "graded B" in response.content.decode()
    # A supervisor may not edit the register, but may retract.
    assert login(client, supervisor).post(f"{base}/edit/", {"S1-grade": "E"}).status_code == 403
    source.refresh_from_db()
    response = client.post(
        f"{base}/retract/", {"reason": "fabricator", "version": source.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "<s>Agent X</s>" in response.content.decode()
    source.refresh_from_db()
    assert source.is_retracted and source.grade == "B"


def test_a_stale_or_bad_retraction_changes_nothing(client, team, analyst):
    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    base = f"/assessments/{assessment.pk}/sources/{source.pk}"
    response = login(client, analyst).post(f"{base}/retract/", {"reason": "x", "version": 99}, HTTP_HX_REQUEST="true")
    assert "Someone else saved this" in response.content.decode()
    response = client.post(f"{base}/retract/", {"reason": "  ", "version": 1}, HTTP_HX_REQUEST="true")
    assert "field-error" in response.content.decode()
    source.refresh_from_db()
    assert not source.is_retracted


def test_a_frozen_assessment_refuses_every_register_write(team, analyst):
    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    assessment.status = assessment.Status.APPROVED
    assessment.save()
    from django.core.exceptions import PermissionDenied

    from apps.quality.services import deception_answer_set

    with pytest.raises(PermissionDenied):
        services.source_retract(source=source, user=analyst, reason="x", expected_version=source.version)
    with pytest.raises(PermissionDenied):
        deception_answer_set(source=source, user=analyst, question="mom", concern="some")
    with pytest.raises(PermissionDenied):
        services.source_create(assessment=assessment, user=analyst, name="Another")
    assert not Source.objects.get(pk=source.pk).is_retracted


def test_the_checklist_records_who_answered(client, team, analyst, teammate):
    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    response = login(client, teammate).post(
        f"/assessments/{assessment.pk}/sources/{source.pk}/checklist/",
        {"question": "moses", "concern": "serious", "note": "walk-in, never vetted"},
        HTTP_HX_REQUEST="true",
    )
    assert "Serious concern" in response.content.decode() and "bob" in response.content.decode()
    answer = source.deception_answers.get()
    assert (answer.question, answer.answered_by) == ("moses", teammate)


def test_an_analyst_with_rows_to_rate_sees_no_dependence_from_teammates_ratings(client, team, analyst, teammate):
    # bob rated both rows; alice rated none: her view hides them, so no source's figures reach her.
    assessment = _matrix(team, teammate, ["CC II", "C I"], e1={"origin": "Agent X"}, e2={"origin": "Agent X"})
    services.snapshot_compute(assessment_id=assessment.pk)
    body = login(client, analyst).get(f"/assessments/{assessment.pk}/sources/").content.decode()
    assert "Team figures are hidden until you rate" in body
    assert "without-leader" not in body and "reversed-leader" not in body
    body = login(client, teammate).get(f"/assessments/{assessment.pk}/sources/").content.decode()
    assert "without-leader" in body


def test_the_review_board_and_the_report_carry_the_register(client, team, analyst, supervisor):
    from django.urls import reverse

    assessment = _matrix(team, analyst, ["CC II", "C I"], e1={"origin": "Agent X"}, e2={"origin": "Agent X"})
    source = Source.objects.get(assessment=assessment)
    services.source_update(source=source, user=analyst, expected_version=source.version, grade="E")
    services.snapshot_compute(assessment_id=assessment.pk)
    login(client, supervisor)
    report = client.get(reverse("reviews:report", args=[assessment.pk])).content.decode()
    assert 'id="report-sources"' in report and "Agent X" in report and "E1, E2" in report
    board = client.get(reverse("reviews:board", args=[assessment.pk])).content.decode()
    assert 'id="review-sources"' in board


def test_a_retraction_alert_names_the_assumptions_and_observations_resting_on_its_items(team, analyst):
    from apps.indicators.services import indicator_create, observation_add
    from apps.key_assumptions.services import assumption_create, evidence_link_set

    assessment = _matrix(team, analyst, ["CC II", "C I"], e1={"origin": "Agent X"})
    e1 = assessment.evidence.get(key="E1")
    assumption = assumption_create(
        assessment=assessment, user=analyst, statement="Borders stay closed", confidence="caveats", impact="high"
    )
    evidence_link_set(assumption=assumption, evidence=e1, relation="supports", user=analyst)
    indicator = indicator_create(
        assessment=assessment,
        user=analyst,
        statement="Cross-border raids",
        category="activity",
        collection="Liaison",
        citation="",
        review_cadence_days=90,
        threshold="emerging",
    )
    observation_add(
        indicator=indicator,
        user=analyst,
        status="emerging",
        source="Wire",
        on=datetime.date(2013, 5, 1),
        evidence_id=e1.pk,
    )
    services.snapshot_compute(assessment_id=assessment.pk)
    source = Source.objects.get(assessment=assessment)
    services.source_retract(source=source, user=analyst, reason="fabricator", expected_version=source.version)
    snapshot = services.snapshot_compute(assessment_id=assessment.pk)
    effect = next(a for a in snapshot.alerts if a["code"] == "source_effect:S1")
    assert "leader by posterior" in effect["message"]
    assert "assumption A1 drew support from E1" in effect["message"]
    assert "IND1's observation of 1 May 2013 cites E1" in effect["message"]


def test_the_grade_factors_are_set_beside_the_reliability_factors_and_exported(client, team, analyst):
    from django.urls import reverse

    from apps.ach.forms import ReliabilityForm

    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X", "information": 2})
    data = {name: value for name, value in ReliabilityForm.initial_from({}).items()}
    data["grades_source_B"] = 0.6
    login(client, analyst).post(reverse("ach:reliability", args=[assessment.pk]), data)
    assessment.refresh_from_db()
    assert assessment.reliability["grades"]["source"]["B"] == 0.6
    assert assessment.reliability["credibility"]["medium"] == 0.7
    assert assessment_export(assessment=assessment)["reliability"]["grades"]["source"]["B"] == 0.6
    data["grades_information_6"] = 0
    response = client.post(reverse("ach:reliability", args=[assessment.pk]), data)
    assert "above 0" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.reliability["grades"]["information"]["6"] == 0.7


def test_a_csv_upload_names_the_source_by_origin_and_grades_the_information(team, analyst):
    from apps.assessments.tabular import evidence_file_parse

    assessment = _matrix(team, analyst, ["CC II"], e1={"origin": "Agent X"})
    parsed = evidence_file_parse(
        content=b"summary,origin,information\nSeen in Gao,agent x,2\nHeard in Kidal,Wire,\n",
        filename="items.csv",
        assessment=assessment,
    )
    assert parsed.ok, parsed.row_errors
    services.evidence_add(assessment=assessment, user=analyst, items=parsed.items, via="CSV")
    gao, kidal = assessment.evidence.get(summary="Seen in Gao"), assessment.evidence.get(summary="Heard in Kidal")
    assert (gao.source_entry.key, gao.origin, gao.information) == ("S1", "Agent X", 2)
    assert (kidal.source_entry.name, kidal.information) == ("Wire", None)

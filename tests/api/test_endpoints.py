import datetime

import pytest
from django.urls import reverse

from apps.ach.models import Rating
from apps.ach.services import rating_set
from apps.assessments.models import Assessment, Evidence, ScoreSnapshot
from apps.assessments.services import evidence_update, snapshot_compute
from apps.indicators.models import Observation

from .conftest import client_for

pytestmark = pytest.mark.django_db


def url(name: str, assessment, **kwargs) -> str:
    if name.startswith("assessment-"):
        return reverse(f"api:{name}", kwargs=kwargs | ({"pk": assessment.pk} if name.endswith("detail") else {}))
    return reverse(f"api:{name}", kwargs={"assessment_pk": assessment.pk, **kwargs})


def test_assessment_list_and_detail_show_the_callers_role(api, world):
    listing = api.get(url("assessment-list", world)).json()
    assert [(a["id"], a["role"], a["team"]) for a in listing["results"]] == [(world.pk, "analyst", "Maghreb Desk")]
    detail = api.get(url("assessment-detail", world)).json()
    assert detail["question"] == "Which?" and detail["content_version"] == world.content_version


def test_hypotheses_are_listed_in_order_with_their_versions(api, world):
    body = api.get(url("hypothesis-list", world)).json()
    assert [(h["key"], h["statement"], h["version"]) for h in body] == [
        ("H1", "H one", 1),
        ("H2", "H two", 1),
        ("H3", "H three", 1),
    ]
    assert api.get(url("hypothesis-detail", world, key="H2")).json()["statement"] == "H two"
    assert api.get(url("hypothesis-detail", world, key="H9")).status_code == 404


def test_evidence_list_filters_by_date_range_and_source_and_pages(api, world, analyst):
    items = list(world.evidence.order_by("order"))
    for i, item in enumerate(items):
        evidence_update(
            evidence=item,
            expected_version=item.version,
            user=analyst,
            date=datetime.date(2013, 1, i + 1),
            source="Reuters" if i % 2 else "AFP",
        )
    body = api.get(url("evidence-list", world), {"date_after": "2013-01-02", "date_before": "2013-01-04"}).json()
    assert [e["key"] for e in body["results"]] == ["E2", "E3", "E4"]
    body = api.get(url("evidence-list", world), {"source": "reuters"}).json()
    assert [e["key"] for e in body["results"]] == ["E2", "E4"]
    page = api.get(url("evidence-list", world), {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5 and [e["key"] for e in page["results"]] == ["E3", "E4"] and page["next"]


def test_evidence_list_filters_by_origin_as_scoring_compares_it_and_shows_it(api, world, analyst):
    items = list(world.evidence.order_by("order"))
    for item, origin in zip(items, ["Informant  A", "informant a", "Informant B", "", " INFORMANT A "], strict=True):
        evidence_update(evidence=item, expected_version=item.version, user=analyst, origin=origin)
    body = api.get(url("evidence-list", world), {"origin": "informant   A"}).json()
    # One source in the register, its name as first written (whitespace collapsed): every item shows it.
    assert [(e["key"], e["origin"]) for e in body["results"]] == [
        ("E1", "Informant A"),
        ("E2", "Informant A"),
        ("E5", "Informant A"),
    ]
    assert [e["key"] for e in api.get(url("evidence-list", world), {"origin": "Informant B"}).json()["results"]] == [
        "E3"
    ]
    assert api.get(url("evidence-detail", world, key="E4")).json()["origin"] == ""


def test_evidence_filters_refuse_bad_dates_with_field_errors(api, world):
    response = api.get(url("evidence-list", world), {"date_after": "yesterday"})
    assert response.status_code == 400 and "date_after" in response.json()
    response = api.get(url("evidence-list", world), {"date_after": "2013-02-01", "date_before": "2013-01-01"})
    assert response.status_code == 400 and "date_before" in response.json()


def test_evidence_detail_answers_one_item(api, world):
    body = api.get(url("evidence-detail", world, key="E3")).json()
    assert body["summary"] == "Evidence item 3" and body["version"] == 1 and body["added_by"] == "alice"


def test_creating_evidence_goes_through_the_service_and_triggers_the_rescoring(
    api, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            url("evidence-list", world), {"summary": "Convoy seen", "credibility": "high"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["key"] == "E6"
    world.refresh_from_db()
    assert "evidence added (api)" in world.last_change
    snapshot = ScoreSnapshot.objects.filter(assessment=world).order_by("-version").first()
    assert snapshot.version == world.content_version and snapshot.trigger_evidence == ["E6"]
    assert world.activities.filter(message__startswith="Evidence E6 added (api)").exists()


def test_a_batch_lands_in_one_version_and_the_scores_follow(api, world, django_capture_on_commit_callbacks):
    items = [{"summary": f"Feed item {i}", "source": "feed"} for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url("evidence-batch", world), {"items": items}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert [e["key"] for e in body["items"]] == ["E6", "E7", "E8"]
    assert len({e["added_in_version"] for e in body["items"]}) == 1
    latest = api.get(url("snapshot-latest", world)).json()
    assert latest["version"] == body["content_version"] and latest["pending"] is False
    assert latest["trigger_evidence"] == ["E6", "E7", "E8"]


def test_one_bad_item_rejects_the_whole_batch_with_per_item_errors(api, world):
    version = world.content_version
    items = [{"summary": "fine"}, {"summary": "bad", "credibility": "enormous"}, {"summary": ""}]
    response = api.post(url("evidence-batch", world), {"items": items}, format="json")
    assert response.status_code == 400
    errors = response.json()["items"]
    # Errors are keyed by the failing items' 0-based positions.
    assert set(errors) == {"1", "2"} and "credibility" in errors["1"] and "summary" in errors["2"]
    assert world.evidence.count() == 5
    world.refresh_from_db()
    assert world.content_version == version


def test_batch_size_and_field_lengths_are_limited(api, world, settings):
    too_many = {"items": [{"summary": "x"}] * (settings.API_MAX_BATCH + 1)}
    response = api.post(url("evidence-batch", world), too_many, format="json")
    assert response.status_code == 400 and "items" in response.json()
    long_source = {"summary": "ok", "source": "s" * 301}
    response = api.post(url("evidence-list", world), long_source, format="json")
    assert response.status_code == 400 and "source" in response.json()
    long_summary = {"summary": "s" * (settings.API_MAX_TEXT + 1)}
    assert api.post(url("evidence-list", world), long_summary, format="json").status_code == 400
    assert world.evidence.count() == 5


def test_a_body_over_the_size_limit_is_refused_with_413(api, world, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = api.post(url("evidence-list", world), {"summary": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert world.evidence.count() == 5


def test_malformed_json_is_a_400(api, world):
    response = api.generic("POST", url("evidence-list", world), "{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]


def test_updating_with_the_current_version_bumps_it(api, world):
    response = api.patch(url("evidence-detail", world, key="E2"), {"version": 1, "source": "AFP"}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["source"] == "AFP"
    assert Evidence.objects.get(assessment=world, key="E2").version == 2


def test_a_stale_version_is_answered_409_with_the_current_state(api, world, analyst):
    item = Evidence.objects.get(assessment=world, key="E2")
    evidence_update(evidence=item, expected_version=item.version, user=analyst, summary="Edited on the page")
    response = api.patch(url("evidence-detail", world, key="E2"), {"version": 1, "summary": "Mine"}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["summary"] == "Edited on the page"
    assert response.json()["current"]["version"] == 2
    assert Evidence.objects.get(pk=item.pk).summary == "Edited on the page"


def test_an_update_without_a_version_is_refused(api, world):
    response = api.patch(url("evidence-detail", world, key="E2"), {"summary": "Mine"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_ratings_are_set_in_bulk_and_read_back(api, world, analyst):
    ratings = [
        {"evidence": "E1", "hypothesis": "H1", "value": "CC", "note": "direct report"},
        {"evidence": "E1", "hypothesis": "H2", "value": "II"},
    ]
    response = api.post(url("rating-list", world), {"ratings": ratings}, format="json")
    assert response.status_code == 200
    world.refresh_from_db()
    assert response.json()["content_version"] == world.content_version
    assert [(r["evidence"], r["hypothesis"], r["value"], r["note"]) for r in response.json()["ratings"]] == [
        ("E1", "H1", "CC", "direct report"),
        ("E1", "H2", "II", ""),
    ]
    assert Rating.objects.filter(analyst=analyst).count() == 2
    clear = {"ratings": [{"evidence": "E1", "hypothesis": "H2", "value": ""}]}
    cleared = api.post(url("rating-list", world), clear, format="json").json()["ratings"]
    assert cleared == [{"evidence": "E1", "hypothesis": "H2", "value": "", "note": "", "rated_at": None}]
    assert api.get(url("rating-list", world)).json()[0]["note"] == "direct report"


def test_a_ratings_write_answers_only_the_cells_it_set(api, world, analyst):
    every_cell = [{"evidence": f"E{e}", "hypothesis": f"H{h}", "value": "C"} for e in range(1, 6) for h in range(1, 4)]
    api.post(url("rating-list", world), {"ratings": every_cell}, format="json")
    one = {"ratings": [{"evidence": "E3", "hypothesis": "H2", "value": "II"}]}
    body = api.post(url("rating-list", world), one, format="json").json()
    assert [(r["evidence"], r["hypothesis"], r["value"]) for r in body["ratings"]] == [("E3", "H2", "II")]
    world.refresh_from_db()
    assert body["content_version"] == world.content_version


def test_a_bad_rating_rejects_the_whole_set(api, world, analyst):
    ratings = [
        {"evidence": "E1", "hypothesis": "H1", "value": "CC"},
        {"evidence": "E99", "hypothesis": "H1", "value": "C"},
    ]
    response = api.post(url("rating-list", world), {"ratings": ratings}, format="json")
    assert response.status_code == 400
    errors = response.json()["ratings"]
    assert set(errors) == {"1"} and "no evidence with key E99" in errors["1"]["non_field_errors"][0]
    assert not Rating.objects.filter(analyst=analyst).exists()
    bad_value = {"ratings": [{"evidence": "E1", "hypothesis": "H1", "value": "maybe"}]}
    assert "value" in api.post(url("rating-list", world), bad_value, format="json").json()["ratings"]["0"]


def _rate_row(assessment, user, row: int, labels):
    evidence = list(assessment.evidence.order_by("order"))[row]
    for hypothesis, label in zip(assessment.hypotheses.order_by("order"), labels, strict=True):
        rating_set(
            assessment=assessment, analyst=user, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
        )


def test_an_analyst_sees_the_teams_row_only_after_rating_all_of_it(api, world, analyst, teammate):
    _rate_row(world, teammate, 0, ["CC", "C", "I"])
    _rate_row(world, teammate, 1, ["N", "N", "N"])
    _rate_row(world, analyst, 0, ["CC", "CC", "I"])
    _rate_row(world, analyst, 1, ["N", "N", ""])  # one cell short: row E2 stays hidden
    rows = {row["evidence"]: row for row in api.get(url("rating-team", world)).json()}
    assert rows["E1"]["revealed"] and rows["E1"]["consensus"] == {"H1": "CC", "H2": "C", "H3": "I"}
    assert rows["E2"]["revealed"] is False and rows["E2"]["consensus"] is None
    assert rows["E1"]["analysts"] is None  # individual matrices are for supervisors


def test_a_supervisor_sees_every_row_and_each_analysts_ratings(world, teammate, supervisor):
    _rate_row(world, teammate, 1, ["N", "C", "N"])
    rows = {row["evidence"]: row for row in client_for(supervisor).get(url("rating-team", world)).json()}
    assert rows["E2"]["revealed"] and rows["E2"]["analysts"] == {"bob": {"H1": "N", "H2": "C", "H3": "N"}}


def test_the_latest_snapshot_has_team_and_analyst_scores(api, world, analyst):
    _rate_row(world, analyst, 0, ["II", "N", "N"])
    snapshot_compute(assessment_id=world.pk)
    body = api.get(url("snapshot-latest", world)).json()
    # One II on H1: Heuer inconsistency 2 for H1, 0 elsewhere, for alice and (alone) for the team.
    assert body["analysts"]["alice"]["H1"]["inconsistency"] == 2
    assert body["team"]["H1"]["inconsistency"] == 2 and body["team"]["H2"]["inconsistency"] == 0
    assert body["ranking"][-1] == "H1" and body["pending"] is False
    # Leader H2 (tied with H3, earliest goes); without E1 only the uniform priors remain, led by H1.
    assert body["sensitivity"]["items_to_change_leader"] == 1 and body["sensitivity"]["removal_order"] == ["E1"]
    assert "key_assumptions" in body["techniques"]


def test_snapshot_history_lists_versions_newest_first(api, world, analyst):
    first = world.snapshots.get().version
    _rate_row(world, analyst, 0, ["C", "C", "C"])
    snapshot_compute(assessment_id=world.pk)
    history = api.get(url("snapshot-list", world)).json()
    versions = [s["version"] for s in history["results"]]
    assert versions[1] == first and versions[0] > first
    one = api.get(url("snapshot-detail", world, version=first)).json()
    assert one["version"] == first and "team" in one
    assert api.get(url("snapshot-detail", world, version=9999)).status_code == 404


def test_latest_is_404_with_a_reason_before_the_first_snapshot(api, assessment):
    response = api.get(url("snapshot-latest", assessment))
    assert response.status_code == 404 and "pending" in response.json()["detail"]


def test_key_assumptions_are_read_with_the_hypotheses_they_support(api, world):
    [assumption] = api.get(url("assumption-list", world)).json()
    assert assumption["key"] == "A1" and assumption["supports"] == ["H1"] and assumption["impact"] == "high"
    assert api.get(url("assumption-detail", world, key="A1")).json()["confidence"] == "caveats"


def test_an_observation_is_added_through_the_indicators_service(api, world, analyst):
    body = {"status": "emerging", "source": "Field report", "date": "2013-01-10", "evidence": "E2"}
    response = api.post(url("indicator-observations", world, key="IND1"), body, format="json")
    assert response.status_code == 201
    observation = Observation.objects.get()
    assert (observation.status, observation.analyst, observation.evidence.key) == ("emerging", analyst, "E2")
    indicator = api.get(url("indicator-detail", world, key="IND1")).json()
    assert indicator["current_status"] == "emerging" and indicator["observations"][0]["source"] == "Field report"


def test_a_future_or_unknown_observation_is_refused(api, world):
    future = {"status": "emerging", "source": "x", "date": "2999-01-01"}
    response = api.post(url("indicator-observations", world, key="IND1"), future, format="json")
    assert response.status_code == 400 and "date" in response.json()
    unknown = {"status": "everywhere", "source": "x"}
    response = api.post(url("indicator-observations", world, key="IND1"), unknown, format="json")
    assert response.status_code == 400 and "status" in response.json()
    assert not Observation.objects.exists()


def test_requests_over_the_rate_are_answered_429_with_retry_after(api, world, settings):
    settings.API_THROTTLE_RATES = {"api": "3/min", "api_write": "2/min"}
    statuses = [api.get(url("hypothesis-list", world)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get(url("hypothesis-list", world))
    assert int(response["Retry-After"]) > 0


def test_the_rate_is_counted_per_token(world, analyst, settings):
    settings.API_THROTTLE_RATES = {"api": "2/min", "api_write": "2/min"}
    first, second = client_for(analyst), client_for(analyst)
    assert [first.get(url("hypothesis-list", world)).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url("hypothesis-list", world)).status_code == 200


def test_the_schema_and_docs_answer_only_signed_in_users(client, analyst):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/").status_code == 401
    client.force_login(analyst)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client_for(analyst).get("/api/schema/").status_code == 200


def test_the_schema_and_docs_are_served_without_a_cdn(client, analyst):
    client.force_login(analyst)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/v1/assessments/{assessment_pk}/evidence/batch/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "https://" not in docs and "<script>" not in docs


def test_an_assessment_is_created_through_the_service_in_the_callers_team(api, analyst):
    response = api.post(reverse("api:assessment-list"), {"title": "Gao couriers", "question": "Who?"}, format="json")
    assert response.status_code == 201
    created = Assessment.objects.get(pk=response.json()["id"])
    assert (created.title, created.team.name, created.created_by) == ("Gao couriers", "Maghreb Desk", analyst)
    assert created.activities.filter(message="Assessment created").exists()


def test_a_supervisor_cannot_create_an_assessment(world, supervisor):
    body = {"title": "T", "question": "Q"}
    response = client_for(supervisor).post(reverse("api:assessment-list"), body, format="json")
    assert response.status_code == 403 and not Assessment.objects.exclude(pk=world.pk).exists()


def test_a_hypothesis_is_added_with_the_next_key(api, world):
    response = api.post(url("hypothesis-list", world), {"statement": "AQIM splinter"}, format="json")
    assert response.status_code == 201 and response.json()["key"] == "H4"
    assert world.hypotheses.get(key="H4").statement == "AQIM splinter"


@pytest.mark.parametrize(
    "body",
    [
        {"summary": "Courier seen", "sumary": "typo"},
        {"summary": 7},
        {"summary": "Courier seen", "source": ["AFP"]},
    ],
)
def test_unknown_fields_and_wrong_json_types_are_refused(api, world, body):
    response = api.post(url("evidence-list", world), body, format="json")
    assert response.status_code == 400
    assert world.evidence.count() == 5


def test_a_version_sent_as_text_is_refused(api, world):
    response = api.patch(url("evidence-detail", world, key="E2"), {"version": "1", "source": "AFP"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


@pytest.mark.parametrize("value", ["null", "0", "501", "abc", ""])
def test_a_malformed_page_size_is_a_400_not_the_default(api, world, value):
    response = api.get(url("evidence-list", world), {"page_size": value})
    assert response.status_code == 400 and "page_size" in response.json()


def test_the_schema_states_the_errors_bounds_and_required_version(client, analyst):
    client.force_login(analyst)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    evidence = paths["/api/v1/assessments/{assessment_pk}/evidence/{key}/"]
    assert {"200", "400", "401", "403", "404", "409", "429"} <= set(evidence["patch"]["responses"])
    patch_body = evidence["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "version" in schema["components"]["schemas"][patch_body]["required"]
    batch = schema["components"]["schemas"]["EvidenceBatchRequest"]["properties"]["items"]
    assert (batch["minItems"], batch["maxItems"]) == (1, 500)
    ratings = paths["/api/v1/assessments/{assessment_pk}/ratings/"]["post"]["responses"]
    assert "200" in ratings and "201" not in ratings
    page_size = next(p for p in paths["/api/v1/assessments/"]["get"]["parameters"] if p["name"] == "page_size")
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 500)

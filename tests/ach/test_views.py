import json

import pytest
from django.urls import reverse

from apps.ach.models import Rating
from apps.ach.services import rating_set, ratings_bulk_create
from apps.assessments.services import evidence_add
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _cells(assessment):
    return list(assessment.evidence.order_by("order")), list(assessment.hypotheses.order_by("order"))


def test_matrix_page_shows_hypotheses_evidence_and_the_exclusivity_caveat(client, analyst, assessment):
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert "H one" in page and "Evidence item 5" in page
    assert "mutually exclusive and exhaustive" in page


def test_setting_a_cell_returns_its_row_alone_and_announces_the_change(client, analyst, assessment):
    client.force_login(analyst)
    evidence, hypotheses = _cells(assessment)
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence[0].pk, "hypothesis": hypotheses[1].pk, "value": "II", "view": "mine"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert response["HX-Retarget"] == f"#ev-{evidence[0].pk}"
    assert body.count('<tr id="ev-') == 1 and '<div id="matrix"' not in body
    name = f"{evidence[0].key} × {hypotheses[1].key}: very inconsistent"
    assert f'data-e="{evidence[0].pk}" data-h="{hypotheses[1].pk}" aria-label="{name}">II</td>' in body
    # No out-of-band rows: the score rows, the panel and the judgments refresh on the event.
    assert "<tfoot" not in body and 'id="panel"' not in body and "hx-swap-oob" not in body
    assert json.loads(response.headers["HX-Trigger"]) == {"ratings-changed": {}}
    assert Rating.objects.get(analyst=analyst, evidence=evidence[0], hypothesis=hypotheses[1]).value == Rating.Value.II


def test_score_rows_show_the_analysts_scores_from_the_latest_snapshot(
    client, analyst, assessment, django_capture_on_commit_callbacks
):
    evidence, hypotheses = _cells(assessment)
    with django_capture_on_commit_callbacks(execute=True):
        rating_set(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence[0].pk,
            hypothesis_id=hypotheses[1].pk,
            label="II",
        )
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    # Inconsistency row: 0, 2, 0 for this analyst (one II under the second hypothesis).
    assert '<th>Inconsistency</th><td class="score">0</td><td class="score">2</td><td class="score">0</td>' in page


def _rating_response(client, assessment):
    evidence, hypotheses = _cells(assessment)
    return client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence[-1].pk, "hypothesis": hypotheses[0].pk, "value": "C", "view": "mine"},
        **HTMX,
    )


def test_a_ratings_response_and_query_count_do_not_grow_with_the_matrix(client, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = factories.member(team, "analyst", username="owner")
    sizes, counts = [], []
    for evidence in (10, 300):
        assessment, raters = _big_matrix(team, owner, hypotheses=5, evidence=evidence, analysts=3)
        client.force_login(raters[0])
        with CaptureQueriesContext(connection) as queries:
            response = _rating_response(client, assessment)
        assert response.status_code == 200
        sizes.append(len(response.content))
        counts.append(len(queries))
    # Only evidence keys differ in width (E10 vs E300), by a few bytes.
    assert abs(sizes[1] - sizes[0]) < 100
    assert counts[0] == counts[1]


def test_clearing_a_cell_deletes_the_rating(client, analyst, assessment):
    evidence, hypotheses = _cells(assessment)
    rating_set(
        assessment=assessment, analyst=analyst, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="C"
    )
    client.force_login(analyst)
    client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence[0].pk, "hypothesis": hypotheses[0].pk, "value": ""},
        **HTMX,
    )
    assert not Rating.objects.filter(analyst=analyst).exists()


def test_rating_a_cell_again_with_the_same_value_writes_nothing(client, analyst, assessment):
    evidence, hypotheses = _cells(assessment)
    client.force_login(analyst)
    url = reverse("ach:cell_set", args=[assessment.pk])
    cell = {"evidence": evidence[0].pk, "hypothesis": hypotheses[0].pk}
    assert client.post(url, {**cell, "value": "C", "note": "from the report"}, **HTMX).status_code == 200
    assessment.refresh_from_db()
    version, history = assessment.content_version, Rating.history.count()
    rated_at = Rating.objects.get(analyst=analyst).rated_at
    for unchanged in ({**cell, "value": "C", "note": "from the report"}, {**cell, "value": ""}):
        if not unchanged["value"]:
            Rating.objects.filter(analyst=analyst).delete()
            assessment.refresh_from_db()
            version, history = assessment.content_version, Rating.history.count()
        response = client.post(url, unchanged, **HTMX)
        assert response.status_code == 200
        assessment.refresh_from_db()
        assert (assessment.content_version, Rating.history.count()) == (version, history)
    # A changed note is a change.
    rating_set(
        assessment=assessment,
        analyst=analyst,
        evidence_id=cell["evidence"],
        hypothesis_id=cell["hypothesis"],
        label="C",
        note="first",
    )
    rating = Rating.objects.get(analyst=analyst)
    assert rating.note == "first" and rating.rated_at >= rated_at
    assessment.refresh_from_db()
    assert assessment.content_version == version + 1


def test_clearing_the_last_rating_of_a_row_returns_the_row_as_not_rated_yet(client, team, assessment):
    # A team admin rates and sees every figure; an analyst sees none of a row she has not rated in full
    # (tests/assessments/test_visibility.py).
    admin = factories.member(team, "team_admin", username="tara")
    evidence, hypotheses = _cells(assessment)
    rating_set(
        assessment=assessment, analyst=admin, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="C"
    )
    client.force_login(admin)
    url = reverse("ach:cell_set", args=[assessment.pk])
    body = client.post(url, {"evidence": evidence[0].pk, "hypothesis": hypotheses[0].pk, "value": ""}, **HTMX)
    row = body.content.decode()
    assert row.count('<tr id="ev-') == 1 and "diag. not rated yet" in row and "not diagnostic" not in row
    rated = client.post(url, {"evidence": evidence[0].pk, "hypothesis": hypotheses[0].pk, "value": "N"}, **HTMX)
    # One N under one hypothesis: rated, and alike everywhere it is rated, so not diagnostic (diag. 0.00).
    assert "diag. 0.00" in rated.content.decode() and "not rated yet" not in rated.content.decode()


def test_an_unknown_rating_is_refused_with_400_and_nothing_saved(client, analyst, assessment):
    client.force_login(analyst)
    evidence, hypotheses = _cells(assessment)
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence[0].pk, "hypothesis": hypotheses[0].pk, "value": "XX"},
        **HTMX,
    )
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_a_cell_of_another_assessment_is_refused(client, analyst, assessment, team):
    other = factories.assessment_with_matrix(team=team, user=analyst, evidence=1)
    client.force_login(analyst)
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": other.evidence.first().pk, "hypothesis": assessment.hypotheses.first().pk, "value": "C"},
        **HTMX,
    )
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_priors_that_do_not_sum_to_one_are_refused_inline(client, analyst, assessment):
    client.force_login(analyst)
    hypotheses = list(assessment.hypotheses.all())
    data = {f"prior_{h.pk}": "0.5" for h in hypotheses}
    response = client.post(reverse("ach:priors_set", args=[assessment.pk]), data, **HTMX)
    assert "Priors must sum to 1" in response.content.decode()
    assert all(h.prior is None for h in assessment.hypotheses.all())


def test_priors_summing_to_one_are_saved(client, analyst, assessment):
    client.force_login(analyst)
    hypotheses = list(assessment.hypotheses.order_by("order"))
    data = dict(zip([f"prior_{h.pk}" for h in hypotheses], ["0.5", "0.3", "0.2"], strict=True))
    client.post(reverse("ach:priors_set", args=[assessment.pk]), data, **HTMX)
    assert [h.prior for h in assessment.hypotheses.order_by("order")] == [0.5, 0.3, 0.2]


def test_team_view_hides_rows_the_analyst_has_not_rated_in_full(client, analyst, teammate, assessment):
    evidence, hypotheses = _cells(assessment)
    for h in hypotheses:
        rating_set(assessment=assessment, analyst=teammate, evidence_id=evidence[0].pk, hypothesis_id=h.pk, label="CC")
        rating_set(assessment=assessment, analyst=teammate, evidence_id=evidence[1].pk, hypothesis_id=h.pk, label="II")
        rating_set(assessment=assessment, analyst=analyst, evidence_id=evidence[1].pk, hypothesis_id=h.pk, label="II")
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    row0 = page.split(f'id="ev-{evidence[0].pk}"')[1].split("</tr>")[0]
    row1 = page.split(f'id="ev-{evidence[1].pk}"')[1].split("</tr>")[0]
    assert ">CC<" not in row0 and "Rate this row yourself" in row0
    assert row1.count(">II<") == 3


def test_supervisor_sees_every_row_of_the_team_view(client, supervisor, teammate, assessment):
    evidence, hypotheses = _cells(assessment)
    rating_set(
        assessment=assessment, analyst=teammate, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="CC"
    )
    client.force_login(supervisor)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    row0 = page.split(f'id="ev-{evidence[0].pk}"')[1].split("</tr>")[0]
    assert ">CC<" in row0 and "Rate this row yourself" not in row0


def test_supervisor_can_open_each_analysts_matrix_but_an_analyst_cannot(
    client, supervisor, analyst, teammate, assessment
):
    evidence, hypotheses = _cells(assessment)
    rating_set(
        assessment=assessment, analyst=teammate, evidence_id=evidence[0].pk, hypothesis_id=hypotheses[0].pk, label="NA"
    )
    client.force_login(supervisor)
    page = client.get(
        reverse("ach:matrix", args=[assessment.pk]), {"view": "analyst", "analyst": "bob"}
    ).content.decode()
    assert "bob’s ratings" in page and ">NA<" in page
    client.force_login(analyst)
    page = client.get(
        reverse("ach:matrix", args=[assessment.pk]), {"view": "analyst", "analyst": "bob"}
    ).content.decode()
    assert "bob’s ratings" not in page and "My ratings" in page


def test_hide_non_diagnostic_drops_rows_rated_alike_everywhere(client, analyst, assessment):
    evidence, hypotheses = _cells(assessment)
    for index, h in enumerate(hypotheses):
        rating_set(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence[0].pk,
            hypothesis_id=h.pk,
            label=["CC", "I", "II"][index],
        )
        rating_set(assessment=assessment, analyst=analyst, evidence_id=evidence[1].pk, hypothesis_id=h.pk, label="C")
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"hide_nd": "1"}).content.decode()
    assert f'id="ev-{evidence[0].pk}"' in page
    assert f'id="ev-{evidence[1].pk}"' not in page
    # alice has not rated item 3 (nobody has): its figures wait for her rating, never hidden as not diagnostic.
    assert f'id="ev-{evidence[2].pk}"' in page
    assert "diag. shown once you rate the row" in page


def test_sort_by_diagnosticity_puts_the_most_diagnostic_row_first(client, analyst, assessment):
    evidence, hypotheses = _cells(assessment)
    for index, h in enumerate(hypotheses):
        rating_set(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence[4].pk,
            hypothesis_id=h.pk,
            label=["CC", "N", "II"][index],
        )
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"sort": "diagnosticity"}).content.decode()
    assert page.index(f'id="ev-{evidence[4].pk}"') < page.index(f'id="ev-{evidence[0].pk}"')


def test_panel_answers_204_while_nothing_moved(client, analyst, assessment):
    from apps.assessments.services import snapshot_compute

    snapshot_compute(assessment_id=assessment.pk)
    assessment.refresh_from_db()
    client.force_login(analyst)
    url = reverse("ach:panel", args=[assessment.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        shown = f"{assessment.content_version}-{assessment.content_version}"
        assert client.get(url, {"shown": shown}).status_code == 204
    # A poll that finds nothing new never reads the snapshot's results (150 KB at 12 × 200).
    assert not any('"results"' in q["sql"] for q in queries.captured_queries)
    response = client.get(url, {"shown": "0-0"})
    assert response.status_code == 200 and "Up to date" in response.content.decode()


def test_panel_says_a_rescoring_is_pending_when_the_snapshot_is_behind(client, analyst, assessment):
    from apps.assessments.services import snapshot_compute

    snapshot_compute(assessment_id=assessment.pk)
    evidence_add(assessment=assessment, user=analyst, items=[{"summary": "late"}], via="test")
    client.force_login(analyst)
    body = client.get(reverse("ach:panel", args=[assessment.pk])).content.decode()
    assert "Rescoring pending" in body


def test_panel_lists_the_first_five_alerts_and_links_to_the_rest(client, analyst, assessment):
    from apps.assessments.services import snapshot_compute

    snapshot = snapshot_compute(assessment_id=assessment.pk)
    snapshot.alerts = [{"kind": "alert", "code": f"a{i}", "message": f"Alert number {i}."} for i in range(1, 9)]
    snapshot.save(update_fields=["alerts"])
    client.force_login(analyst)
    body = client.get(reverse("ach:panel", args=[assessment.pk])).content.decode()
    assert "Alert number 5." in body and "Alert number 6." not in body
    assert "and 3 more in" in body and reverse("assessments:activity", args=[assessment.pk]) in body


def test_the_page_lists_ten_linchpins_and_counts_the_rest(client, analyst, supervisor, team):
    from apps.assessments.services import snapshot_compute

    assessment = factories.assessment_with_matrix(team=team, user=analyst, evidence=15)
    snapshot = snapshot_compute(assessment_id=assessment.pk)
    keys = [f"E{i}" for i in range(1, 16)]
    snapshot.results["ach"]["linchpins"] = {"linchpin_inconsistency": keys, "linchpin_posterior": keys[:3]}
    snapshot.save(update_fields=["results"])
    # The supervisor reads the stored snapshot (an analyst who has not rated every row reads her own view).
    client.force_login(supervisor)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    listed = page[page.index('id="linchpins"') :]
    assert "Evidence item 10" in listed and "Evidence item 11" not in listed
    assert "and 5 more, marked" in listed
    # Every linchpin row still carries its badge.
    assert page.count('<span class="badge warn">linchpin</span>') == 15 + 1


def _big_matrix(team, user, *, hypotheses: int, evidence: int, analysts: int):
    assessment = factories.assessment_with_matrix(
        team=team, user=user, hypotheses=[f"H{i}" for i in range(hypotheses)], evidence=evidence
    )
    raters = [factories.member(team, "analyst", username=f"rater{i}") for i in range(analysts)]
    rows = []
    labels = ["CC", "C", "N", "I", "II", "NA"]
    for a, rater in enumerate(raters):
        for i, e in enumerate(assessment.evidence.all()):
            for j, h in enumerate(assessment.hypotheses.all()):
                rows.append((rater, e, h, labels[(a + i + j) % 6], ""))
    from apps.ach.services import ratings_bulk_create

    ratings_bulk_create(assessment=assessment, rows=rows)
    return assessment, raters


# session, user, assessment with the member's role, hypotheses, evidence, ratings, analysts, (my notes),
# snapshot, the comment markers, the user's memberships for the team switcher, the unread notifications,
# the analyst's view (apps.assessments.visibility): the rows she has rated, the assumptions she has judged,
# the items signature the panel's poll sends back (a teammate's item edit refreshes the matrix), the marked
# duplicates, and (on her own matrix) her cells to settle after a merge.
@pytest.mark.parametrize(("view", "expected"), [("mine", 17), ("team", 15)])
def test_matrix_page_runs_the_same_number_of_queries_for_3x5x1_and_12x200x10(client, team, view, expected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = factories.member(team, "analyst", username="owner")
    small, small_raters = _big_matrix(team, owner, hypotheses=3, evidence=5, analysts=1)
    big, big_raters = _big_matrix(team, owner, hypotheses=12, evidence=200, analysts=10)
    counts = []
    for assessment, rater in ((small, small_raters[0]), (big, big_raters[0])):
        client.force_login(rater)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": view}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == expected


def test_a_5000_item_matrix_page_renders_one_block_of_rows_under_2_mb(client, team):
    from apps.ach.display import BLOCK_ROWS

    owner = factories.member(team, "analyst", username="owner")
    assessment, raters = _big_matrix(team, owner, hypotheses=10, evidence=5000, analysts=1)
    client.force_login(raters[0])
    for view in ("mine", "team"):
        page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": view})
        assert len(page.content) < 2_000_000
        assert page.content.decode().count('<tr id="ev-') == BLOCK_ROWS
    block = client.get(reverse("ach:matrix", args=[assessment.pk]), {"block": 49}, **HTMX)
    assert len(block.content) < 2_000_000
    assert block.content.decode().count('<tr id="ev-') == BLOCK_ROWS and 'class="more"' not in block.content.decode()


def _weighted_matrix(team, analyst):
    """E1–E150 where E1–E75 weigh less than E76–E150: by weight, the second block starts at E26."""
    assessment = factories.assessment_with_matrix(team=team, user=analyst, evidence=0)
    evidence_add(
        assessment=assessment,
        user=analyst,
        items=[
            {"summary": f"Item {i}", "credibility": "low" if i <= 75 else "high", "relevance": "medium"}
            for i in range(1, 151)
        ],
        via="test",
    )
    return assessment


def _keys(html: str) -> list[str]:
    import re

    return re.findall(r'<tr id="ev-\d+"[^>]*><td class="ev"><strong>(E\d+)</strong>', html)


def test_the_next_block_keeps_the_sort_and_links_to_the_block_after(client, team, analyst):
    assessment = _weighted_matrix(team, analyst)
    client.force_login(analyst)
    url = reverse("ach:matrix", args=[assessment.pk])
    first = client.get(url, {"sort": "weight"}).content.decode()
    assert _keys(first)[:2] == ["E76", "E77"] and _keys(first)[-1] == "E25"
    assert 'hx-get="' + url + '?view=mine&amp;sort=weight&amp;block=1"' in first
    second = client.get(url, {"sort": "weight", "block": 1}, **HTMX).content.decode()
    assert _keys(second) == [f"E{i}" for i in range(26, 76)]
    assert "<html" not in second and 'class="more"' not in second


def test_hiding_non_diagnostic_evidence_applies_before_blocks_are_cut(client, team, analyst, teammate, supervisor):
    assessment = _weighted_matrix(team, analyst)
    hypotheses = list(assessment.hypotheses.order_by("order"))
    # The teammate rates E1–E149 N everywhere (not diagnostic) but E140 CC under one hypothesis, II under
    # another; nobody rates E150, which is "not rated yet", not "not diagnostic". Only E140 and E150 are left,
    # in the first block.
    labels = {hypotheses[0].pk: "CC", hypotheses[1].pk: "II"}
    rows = [
        (teammate, evidence, hypothesis, labels.get(hypothesis.pk, "N") if evidence.key == "E140" else "N", "")
        for evidence in assessment.evidence.exclude(key="E150")
        for hypothesis in hypotheses
    ]
    ratings_bulk_create(assessment=assessment, rows=rows)
    # The supervisor: analyst alice, who rated none of them, would see every row as not rated yet by her.
    client.force_login(supervisor)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"hide_nd": "1"}).content.decode()
    assert _keys(page) == ["E140", "E150"] and 'class="more"' not in page
    assert "diag. not rated yet" in page

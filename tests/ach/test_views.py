import pytest
from django.urls import reverse

from apps.ach.models import Rating
from apps.ach.services import rating_set
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


def test_setting_a_cell_saves_the_rating_and_returns_the_matrix_fragment_with_new_scores(client, analyst, assessment):
    client.force_login(analyst)
    evidence, hypotheses = _cells(assessment)
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence[0].pk, "hypothesis": hypotheses[1].pk, "value": "II", "view": "mine"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('\n<div id="matrix"') or '<div id="matrix"' in body[:200]
    assert "<html" not in body
    assert response["HX-Retarget"] == "#matrix"
    assert Rating.objects.get(analyst=analyst, evidence=evidence[0], hypothesis=hypotheses[1]).value == Rating.Value.II
    # Inconsistency row: 0, 2, 0 for this analyst.
    assert '<th>Inconsistency</th><td class="score">0</td><td class="score">2</td><td class="score">0</td>' in body


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
    # Nobody has rated item 3: it is not rated yet, never hidden as not diagnostic.
    assert f'id="ev-{evidence[2].pk}"' in page
    assert "diag. not rated yet" in page


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
    assert client.get(url, {"shown": f"{assessment.content_version}-{assessment.content_version}"}).status_code == 204
    response = client.get(url, {"shown": "0-0"})
    assert response.status_code == 200 and "Up to date" in response.content.decode()


def test_panel_says_a_rescoring_is_pending_when_the_snapshot_is_behind(client, analyst, assessment):
    from apps.assessments.services import snapshot_compute

    snapshot_compute(assessment_id=assessment.pk)
    evidence_add(assessment=assessment, user=analyst, items=[{"summary": "late"}], via="test")
    client.force_login(analyst)
    body = client.get(reverse("ach:panel", args=[assessment.pk])).content.decode()
    assert "Rescoring pending" in body


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
# snapshot, the comment markers, the user's memberships for the team switcher, the unread notifications.
@pytest.mark.parametrize(("view", "expected"), [("mine", 12), ("team", 11)])
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

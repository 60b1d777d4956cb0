"""Duplicates and merge through the pages: the mark on an item's edit form, the matrix's list of marks (team admins
merge there) and each analyst's own cells to settle."""

import pytest
from django.urls import reverse

from apps.ach.models import RatingConflict
from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.models import DuplicateMark, Evidence, Hypothesis
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


def _rate(assessment, analyst, evidence, hypothesis, label):
    rating_set(
        assessment=assessment, analyst=analyst, evidence_id=evidence.pk, hypothesis_id=hypothesis.pk, label=label
    )


def _merge_post(client, assessment, duplicate, kept, kind="evidence"):
    return client.post(
        reverse(f"assessments:{kind}_merge", args=[assessment.pk, duplicate.pk]),
        {"into": kept.pk, "version": duplicate.version, "into_version": kept.version},
        **HTMX,
    )


def test_an_analyst_marks_a_duplicate_from_the_items_edit_form(client, analyst, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    client.force_login(analyst)
    edit = client.get(reverse("assessments:evidence_edit", args=[assessment.pk, e2.pk]), **HTMX).content.decode()
    assert "E2 is a duplicate of" in edit and f'<option value="{e1.pk}">E1</option>' in edit
    response = client.post(
        reverse("assessments:evidence_duplicate", args=[assessment.pk, e2.pk]),
        {"of": e1.pk, "note": "Same <b>wire</b> story"},
        **HTMX,
    )
    assert response.status_code == 204 and "items-changed" in response["HX-Trigger"]
    mark = DuplicateMark.objects.get()
    assert (mark.item, mark.of, mark.marked_by) == (e2, e1, analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert "Marked duplicates" in page and "Same &lt;b&gt;wire&lt;/b&gt; story" in page
    # An analyst may clear a mark but sees no merge.
    assert "Not a duplicate" in page and "Merge E2 into E1" not in page


def test_marking_an_item_a_duplicate_of_itself_is_refused_on_the_form(client, analyst, assessment):
    e1 = assessment.evidence.first()
    client.force_login(analyst)
    response = client.post(
        reverse("assessments:evidence_duplicate", args=[assessment.pk, e1.pk]), {"of": e1.pk}, **HTMX
    )
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not DuplicateMark.objects.exists()


def test_a_team_admin_merges_from_the_matrix_and_the_row_is_gone(client, analyst, team_admin, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    services.duplicate_mark(item=e2, of=e1, user=analyst)
    client.force_login(team_admin)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    assert "Merge E2 into E1" in page and page.count('<tr id="ev-') == 5
    response = _merge_post(client, assessment, e2, e1)
    assert response.status_code == 204 and "items-changed" in response["HX-Trigger"]
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    assert page.count('<tr id="ev-') == 4 and f'id="ev-{e2.pk}"' not in page
    assert "Marked duplicates" not in page


def test_a_team_admin_merges_two_hypotheses(client, analyst, team_admin, assessment):
    h1, h2, _ = assessment.hypotheses.all()
    services.duplicate_mark(item=h2, of=h1, user=analyst)
    client.force_login(team_admin)
    assert _merge_post(client, assessment, h2, h1, kind="hypothesis").status_code == 204
    assert list(Hypothesis.objects.filter(assessment=assessment).values_list("key", flat=True)) == ["H1", "H3"]


def test_an_analyst_cannot_merge(client, analyst, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    client.force_login(analyst)
    assert _merge_post(client, assessment, e2, e1).status_code == 403
    assert Evidence.objects.filter(pk=e2.pk).exists()


def test_a_supervisor_cannot_mark_or_merge(client, supervisor, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    client.force_login(supervisor)
    mark = client.post(reverse("assessments:evidence_duplicate", args=[assessment.pk, e2.pk]), {"of": e1.pk}, **HTMX)
    assert mark.status_code == 403 and _merge_post(client, assessment, e2, e1).status_code == 403


def test_outsider_gets_404(client, outsider, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    client.force_login(outsider)
    mark = client.post(reverse("assessments:evidence_duplicate", args=[assessment.pk, e2.pk]), {"of": e1.pk}, **HTMX)
    assert mark.status_code == 404 and _merge_post(client, assessment, e2, e1).status_code == 404
    assert Evidence.objects.filter(pk=e2.pk).exists() and not DuplicateMark.objects.exists()


def test_a_merge_into_an_item_of_another_assessment_is_refused(client, team, analyst, team_admin, assessment):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    e2 = assessment.evidence.all()[1]
    client.force_login(team_admin)
    response = _merge_post(client, assessment, e2, other.evidence.first())
    assert response.status_code == 400 and Evidence.objects.filter(pk=e2.pk).exists()


def test_a_stale_page_cannot_merge(client, analyst, team_admin, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    version = e1.version
    services.evidence_update(evidence=e1, user=analyst, expected_version=version, summary="Edited meanwhile")
    client.force_login(team_admin)
    response = client.post(
        reverse("assessments:evidence_merge", args=[assessment.pk, e2.pk]),
        {"into": e1.pk, "version": e2.version, "into_version": version},
        **HTMX,
    )
    assert response.status_code == 409 and "Someone else saved this" in response.content.decode()
    assert Evidence.objects.filter(pk=e2.pk).exists()


def test_a_frozen_assessment_refuses_the_mark_and_the_merge(client, analyst, supervisor, team_admin, assessment):
    e1, e2 = assessment.evidence.all()[:2]
    services.duplicate_mark(item=e2, of=e1, user=analyst)
    services.assessment_review(assessment=assessment, user=analyst, action="submit")
    services.assessment_review(assessment=assessment, user=supervisor, action="approve")
    client.force_login(team_admin)
    assert _merge_post(client, assessment, e2, e1).status_code == 403
    unmark = client.post(reverse("assessments:evidence_duplicate", args=[assessment.pk, e2.pk]), {"of": ""}, **HTMX)
    assert unmark.status_code == 403 and DuplicateMark.objects.exists()
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert "Marked duplicates" in page and "Merge E2 into E1" not in page


@pytest.fixture
def merged(assessment, analyst, teammate, team_admin):
    """bob rated E1 and E2 differently on H1; alice rated only E3. E2 is merged into E1."""
    e1, e2 = assessment.evidence.all()[:2]
    h1 = assessment.hypotheses.first()
    _rate(assessment, teammate, e1, h1, "CC")
    _rate(assessment, teammate, e2, h1, "II")
    _rate(assessment, analyst, assessment.evidence.all()[2], h1, "N")
    e1.refresh_from_db()
    e2.refresh_from_db()
    services.evidence_merge(
        kept=e1, duplicate=e2, user=team_admin, kept_version=e1.version, duplicate_version=e2.version
    )
    return e1, h1


def test_the_analyst_who_rated_the_pair_differently_sees_her_cell_to_settle(client, teammate, assessment, merged):
    client.force_login(teammate)
    page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "mine"}).content.decode()
    assert "To settle" in page
    assert "E1 × H1</strong>: you rated it" in page and "Keep CC" in page and "Take II" in page


def test_a_teammate_sees_nothing_of_anothers_cells_to_settle(client, analyst, supervisor, assessment, merged):
    client.force_login(analyst)
    for view in ("mine", "team"):
        page = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": view}).content.decode()
        assert "To settle" not in page and "Take II" not in page
    # Nor does the feed tell her of bob's ratings of the merged rows.
    feed = client.get(reverse("assessments:activity", args=[assessment.pk])).content.decode()
    assert "Evidence E2 merged into E1" in feed and "II" not in feed and "bob" not in feed


def test_choosing_in_the_list_rates_the_cell_and_settles_it(client, teammate, assessment, merged):
    evidence, hypothesis = merged
    client.force_login(teammate)
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "value": "II", "view": "mine", "sort": "order"},
        **HTMX,
    )
    assert response.status_code == 200 and "ratings-changed" in response["HX-Trigger"]
    assert not RatingConflict.objects.exists()
    region = client.get(
        reverse("ach:matrix", args=[assessment.pk]), {"view": "mine"}, HTTP_HX_TARGET="to-settle", **HTMX
    ).content.decode()
    assert region.strip().startswith('<div id="to-settle"') and "To settle" not in region

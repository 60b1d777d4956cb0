import pytest
from django.urls import reverse

from apps.ach.services import ratings_bulk_create
from apps.assessments.models import Activity
from apps.comments import services
from apps.comments.models import Thread
from tests import factories
from tests.conftest import login
from tests.indicators.conftest import make_indicator
from tests.key_assumptions.conftest import make_assumption

pytestmark = pytest.mark.django_db


def _cell(assessment, row=0, column=0):
    return list(assessment.evidence.all())[row], list(assessment.hypotheses.all())[column]


def _rate_row(assessment, user, evidence, labels=("CC", "I", "N")):
    rows = [(user, evidence, h, label, "") for h, label in zip(assessment.hypotheses.all(), labels, strict=False)]
    ratings_bulk_create(assessment=assessment, rows=rows)


@pytest.fixture
def cell_thread(assessment, supervisor):
    evidence, hypothesis = _cell(assessment)
    return services.thread_start(
        assessment=assessment,
        user=supervisor,
        evidence_id=evidence.pk,
        hypothesis_id=hypothesis.pk,
        body="Is E1 really consistent with H1? Check the source.",
    )


def test_supervisor_starts_a_thread_on_a_cell(client, assessment, supervisor):
    evidence, hypothesis = _cell(assessment, 1, 2)
    login(client, supervisor)
    response = client.post(
        reverse("comments:create", args=[assessment.pk]),
        {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "body": "Why <b>this</b>?"},
    )
    thread = Thread.objects.get(assessment=assessment)
    assert response.status_code == 302
    assert (thread.kind, thread.evidence, thread.hypothesis) == ("cell", evidence, hypothesis)
    assert thread.comments.get().body == "Why <b>this</b>?"
    assert Activity.objects.filter(assessment=assessment, data__action="thread_start", data__thread=thread.pk).exists()
    page = client.get(response.url)
    assert "Why &lt;b&gt;this&lt;/b&gt;?" in page.content.decode()


@pytest.mark.parametrize(("fields", "kind"), [({"evidence": 0}, "evidence"), ({"hypothesis": 0}, "hypothesis")])
def test_a_thread_on_an_evidence_item_or_a_hypothesis(client, assessment, supervisor, fields, kind):
    evidence, hypothesis = _cell(assessment)
    data = {name: (evidence.pk if name == "evidence" else hypothesis.pk) for name in fields}
    login(client, supervisor)
    client.post(reverse("comments:create", args=[assessment.pk]), {**data, "body": "Look again."})
    assert Thread.objects.get(assessment=assessment).kind == kind


def test_a_thread_on_an_assumption_and_on_an_indicator(client, assessment, analyst, supervisor):
    assumption = make_assumption(assessment, analyst)
    indicator = make_indicator(assessment, analyst)
    login(client, supervisor)
    client.post(reverse("comments:create", args=[assessment.pk]), {"assumption": assumption.pk, "body": "Solid?"})
    client.post(reverse("comments:create", args=[assessment.pk]), {"indicator": indicator.pk, "body": "Threshold?"})
    threads = {t.kind: t for t in Thread.objects.filter(assessment=assessment)}
    assert threads["assumption"].target == assumption
    assert threads["indicator"].target == indicator
    listing = client.get(reverse("comments:list", args=[assessment.pk])).content.decode()
    assert f"Assumption {assumption.key}" in listing and f"Indicator {indicator.key}" in listing
    # The link from the assumption's row lists its threads only, with the form pointing at it.
    only = client.get(reverse("comments:list", args=[assessment.pk]), {"assumption": assumption.pk}).content.decode()
    assert f"Assumption {assumption.key}" in only and f"Indicator {indicator.key}" not in only
    assert f'<option value="{assumption.pk}" selected>' in only


def test_a_thread_cannot_point_into_another_assessment(client, team, assessment, analyst, supervisor):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    login(client, supervisor)
    response = client.post(
        reverse("comments:create", args=[assessment.pk]), {"evidence": other.evidence.first().pk, "body": "x"}
    )
    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_a_thread_needs_a_place_and_a_comment(client, assessment, supervisor):
    evidence, _ = _cell(assessment)
    login(client, supervisor)
    nowhere = client.post(reverse("comments:create", args=[assessment.pk]), {"body": "About what?"})
    empty = client.post(reverse("comments:create", args=[assessment.pk]), {"evidence": evidence.pk, "body": "  "})
    assert nowhere.status_code == empty.status_code == 400
    assert "Choose what the comment is about." in nowhere.content.decode()
    assert not Thread.objects.exists()


def test_analyst_replies_and_the_supervisor_resolves_and_reopens(client, assessment, analyst, supervisor, cell_thread):
    evidence, _ = _cell(assessment)
    _rate_row(assessment, analyst, evidence)
    login(client, analyst)
    response = client.post(
        reverse("comments:reply", args=[assessment.pk, cell_thread.pk]),
        {"body": "Rechecked: it holds."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Rechecked: it holds." in response.content.decode()
    login(client, supervisor)
    client.post(reverse("comments:resolve", args=[assessment.pk, cell_thread.pk]), {"action": "resolve"})
    cell_thread.refresh_from_db()
    assert cell_thread.resolved and cell_thread.resolved_by == supervisor
    client.post(reverse("comments:resolve", args=[assessment.pk, cell_thread.pk]), {"action": "reopen"})
    cell_thread.refresh_from_db()
    assert not cell_thread.resolved
    actions = list(Activity.objects.filter(data__thread=cell_thread.pk).values_list("data__action", flat=True))
    assert sorted(actions) == ["reply", "thread_reopen", "thread_resolve", "thread_start"]


def test_resolving_a_resolved_thread_is_refused_and_changes_nothing(assessment, supervisor, cell_thread):
    services.thread_resolve(thread=cell_thread, user=supervisor, resolved=True)
    with pytest.raises(services.ValidationError):
        services.thread_resolve(thread=cell_thread, user=supervisor, resolved=True)
    assert Activity.objects.filter(data__action="thread_resolve").count() == 1


def test_analyst_starts_a_thread_but_cannot_resolve_one(client, assessment, analyst, cell_thread):
    evidence, _ = _cell(assessment)
    _rate_row(assessment, analyst, evidence)
    login(client, analyst)
    start = client.post(reverse("comments:create", args=[assessment.pk]), {"evidence": evidence.pk, "body": "Me?"})
    resolve = client.post(reverse("comments:resolve", args=[assessment.pk, cell_thread.pk]), {"action": "resolve"})
    assert start.status_code == 302 and resolve.status_code == 403
    cell_thread.refresh_from_db()
    assert Thread.objects.filter(started_by=analyst, kind="evidence", evidence=evidence).exists()
    assert not cell_thread.resolved


def test_an_analyst_starts_a_cell_thread_only_once_they_rated_its_row(client, assessment, analyst):
    evidence, hypothesis = _cell(assessment, 1, 0)
    login(client, analyst)
    url = reverse("comments:create", args=[assessment.pk])
    fields = {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "body": "Consistent?"}
    refused = client.post(url, fields)
    assert refused.status_code == 400 and "Rate every cell of E2 yourself" in refused.content.decode()
    assert not Thread.objects.exists()
    _rate_row(assessment, analyst, evidence)
    assert client.post(url, fields).status_code == 302
    assert Thread.objects.get().kind == "cell"


def test_the_comment_marker_is_an_icon_that_needs_no_emoji_font(client, assessment, analyst, cell_thread):
    evidence, _ = _cell(assessment)
    _rate_row(assessment, analyst, evidence)
    login(client, analyst)
    page = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert 'class="badge comment-marker comment-open"' in page and '<svg class="icon"' in page
    assert "\U0001f4ac" not in page


def test_a_thread_is_404_under_another_assessment_of_the_team(
    client, team, assessment, analyst, supervisor, cell_thread
):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    login(client, supervisor)
    assert client.get(reverse("comments:detail", args=[other.pk, cell_thread.pk])).status_code == 404


def test_a_cell_thread_stays_hidden_from_an_analyst_until_they_rate_the_row(
    client, assessment, analyst, teammate, cell_thread
):
    """Anchoring: the thread (and the marker) appear only once the teammate has rated every cell of E1."""
    evidence, _ = _cell(assessment)
    _rate_row(assessment, analyst, evidence, labels=("II", "II", "II"))
    login(client, teammate)
    page = client.get(reverse("comments:list", args=[assessment.pk])).content.decode()
    # The thread list (the start-a-thread form beside it names every item).
    listing = page.split('id="threads"', 1)[1].split("</ul>", 1)[0]
    assert "E1" not in listing and "1 thread on cells of rows you have not rated" in page
    assert client.get(reverse("comments:detail", args=[assessment.pk, cell_thread.pk])).status_code == 403
    reply = client.post(reverse("comments:reply", args=[assessment.pk, cell_thread.pk]), {"body": "?"})
    assert reply.status_code == 403
    matrix = client.get(reverse("ach:matrix", args=[assessment.pk])).content.decode()
    assert "commented" not in matrix
    _rate_row(assessment, teammate, evidence, labels=("C", "C", "N"))
    detail = client.get(reverse("comments:detail", args=[assessment.pk, cell_thread.pk])).content.decode()
    assert "Check the source." in detail
    # The thread shows the comments only: never the ratings of others (alice rated every cell II).
    assert ">II<" not in detail and "r-II" not in detail


def test_matrix_marks_commented_cells_and_rows_for_the_supervisor(client, assessment, supervisor, cell_thread):
    login(client, supervisor)
    html = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    evidence, hypothesis = _cell(assessment)
    assert f'commented comment-open" tabindex="-1" data-e="{evidence.pk}" data-h="{hypothesis.pk}"' in html
    assert "</svg> 1</a>" in html
    services.thread_resolve(thread=cell_thread, user=supervisor, resolved=True)
    html = client.get(reverse("ach:matrix", args=[assessment.pk]), {"view": "team"}).content.decode()
    assert f'commented" tabindex="-1" data-e="{evidence.pk}"' in html and "comment-resolved" in html


def test_rating_the_last_cell_of_a_row_returns_that_row_alone_with_its_comment_markers(
    client, assessment, teammate, cell_thread
):
    """The rating's answer is the one row, and anchoring still holds in it: the marker comes with the full row."""
    evidence, hypothesis = _cell(assessment)
    hypotheses = list(assessment.hypotheses.all())
    _rate_row(assessment, teammate, evidence, labels=("C",))
    login(client, teammate)
    url = reverse("ach:cell_set", args=[assessment.pk])
    partial = client.post(
        url, {"evidence": evidence.pk, "hypothesis": hypotheses[1].pk, "value": "N"}, HTTP_HX_REQUEST="true"
    )
    assert partial.content.decode().count('<tr id="ev-') == 1 and "commented" not in partial.content.decode()
    full = client.post(
        url, {"evidence": evidence.pk, "hypothesis": hypotheses[2].pk, "value": "I"}, HTTP_HX_REQUEST="true"
    )
    body = full.content.decode()
    assert body.count('<tr id="ev-') == 1 and full["HX-Retarget"] == f"#ev-{evidence.pk}"
    assert f'commented comment-open" tabindex="-1" data-e="{evidence.pk}" data-h="{hypothesis.pk}"' in body
    assert "</svg> 1</a>" in body

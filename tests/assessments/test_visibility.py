"""The visibility policy (apps/assessments/visibility.py), one test per leak the probe found: an analyst who
has not rated a row (or judged an assumption) is shown nothing computed from teammates' judgments of it."""

import dataclasses
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.ach.models import Rating
from apps.ach.services import rating_set
from apps.assessments import services
from apps.assessments.models import Activity, Notification, ScoreSnapshot
from apps.assessments.services.files import assessment_fork
from apps.assessments.visibility import results_for, view_for, views_of_members
from apps.key_assumptions.services import assumption_create, judgment_set
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(team):
    return factories.member(team, "analyst", username="carol")


def _cells(assessment):
    return list(assessment.evidence.order_by("order")), list(assessment.hypotheses.order_by("order"))


def _rate(assessment, analyst, row: int, labels, note=None):
    evidence, hypotheses = _cells(assessment)
    for hypothesis, label in zip(hypotheses, labels, strict=False):
        rating_set(
            assessment=assessment,
            analyst=analyst,
            evidence_id=evidence[row].pk,
            hypothesis_id=hypothesis.pk,
            label=label,
            note=note,
        )


@pytest.fixture
def split(assessment, analyst, teammate, carol):
    """alice rated E1 in full; bob and carol rated E1 and, at opposite ends, E2, which alice has not."""
    services.snapshot_compute(assessment_id=assessment.pk)
    _rate(assessment, analyst, 0, ("C", "I", "N"))
    _rate(assessment, teammate, 0, ("C", "I", "I"))
    _rate(assessment, carol, 0, ("C", "N", "I"))
    services.snapshot_compute(assessment_id=assessment.pk)
    _rate(assessment, teammate, 1, ("CC", "II", "II"), note="the informant recanted")
    _rate(assessment, carol, 1, ("II", "CC", "CC"))
    services.snapshot_compute(assessment_id=assessment.pk)
    return assessment


def test_the_policy_hides_the_rows_an_analyst_has_not_rated_and_nothing_from_a_supervisor(split, analyst, supervisor):
    evidence, _ = _cells(split)
    alice = view_for(assessment=split, user=analyst)
    assert alice.hidden["ach"] == {e.pk for e in evidence[1:]}
    assert alice.notice("ach") == "Team view over the 1 items you have rated; 4 hidden until you rate them."
    assert not view_for(assessment=split, user=supervisor).hides_anything


def test_api_snapshots_give_an_analyst_no_teammates_scores_to_difference(client, split, analyst, supervisor):
    # The probe recovered hidden cells by differencing analysts.bob.H2 between versions.
    client.force_login(analyst)
    url = reverse("api:snapshot-list", args=[split.pk])
    history = client.get(url).json()["results"]
    latest, earlier = history[0], history[1:]
    assert latest["view"] and all(s["ranking"] == [] and s["leader_by_posterior"] is None for s in earlier)
    # A trigger names a teammate's cell only on a row she has rated.
    assert latest["trigger"] == "a teammate rated a row you have not rated"
    assert earlier[0]["trigger"] == "carol rated E1×H3"
    detail = client.get(reverse("api:snapshot-detail", args=[split.pk, earlier[0]["version"]])).json()
    assert detail["team"] == {} and detail["analysts"] == {}
    mine = client.get(reverse("api:snapshot-latest", args=[split.pk])).json()
    assert list(mine["analysts"]) == ["alice"]
    # Her team scores are E1's alone (bob and carol's E2 left out), not the stored snapshot's.
    stored = ScoreSnapshot.objects.filter(assessment=split).order_by("-version").first().results["ach"]
    assert mine["team"] != stored["team"]
    client.force_login(supervisor)
    assert client.get(reverse("api:snapshot-latest", args=[split.pk])).json()["team"] == stored["team"]


def test_an_unrated_rows_diagnosticity_shows_nowhere(client, split, analyst):
    evidence, _ = _cells(split)
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[split.pk])).content.decode()
    row = page[page.index(f'id="ev-{evidence[1].pk}"') :].split("</tr>")[0]
    assert "diag. shown once you rate the row" in row and "not diagnostic" not in row and "linchpin" not in row
    csv = client.get(reverse("ach:export", args=[split.pk, "csv"])).content.decode().splitlines()
    e2 = next(line for line in csv if line.startswith("E2,"))
    assert e2.endswith(",,,,")  # no diagnosticity, no consensus
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("ach:export", args=[split.pk, "xlsx"])).content))
    sheet = [row for row in book["Evidence"].iter_rows(values_only=True) if row[0] == "E2"][0]
    assert sheet[-4] in ("", None)
    exported = client.get(reverse("assessments:export_json", args=[split.pk])).json()
    assert exported["evidence_metrics"]["E2"]["diagnosticity"] is None
    report = client.get(reverse("reviews:report", args=[split.pk])).content.decode()
    assert "E2 ×" not in report.split('id="report-disagreements"')[1]


def test_the_report_does_not_sort_by_an_unrated_rows_disagreement(client, split, analyst, supervisor):
    client.force_login(supervisor)
    grid = client.get(reverse("reviews:report", args=[split.pk])).content.decode().split('id="review-grid"')[1]
    # bob and carol disagree most on E2: the supervisor's report lists it first.
    assert grid.index("<strong>E2</strong>") < grid.index("<strong>E1</strong>")
    client.force_login(analyst)
    grid = client.get(reverse("reviews:report", args=[split.pk])).content.decode().split('id="review-grid"')[1]
    assert grid.index("<strong>E1</strong>") < grid.index("<strong>E2</strong>")


def test_an_alert_about_an_unrated_row_is_not_shown_notified_or_mailed_to_the_analyst(
    client, supervisor, split, analyst, mailoutbox, django_capture_on_commit_callbacks, send_digests
):
    # sam is a member before the alerts are raised: a digest holds alerts for the members of the time.
    codes = [a.data.get("code", "") for a in Activity.objects.filter(assessment=split, kind="alert")]
    assert any(code.startswith("disagreement:E2|") for code in codes)
    assert not any(
        "E2" in n.activity.message
        for n in Notification.objects.filter(user=analyst).select_related("activity")
        if n.activity.kind != Activity.Kind.DIGEST
    )
    client.force_login(analyst)
    for name in ("assessments:activity", "ach:panel"):
        assert "E2 ×" not in client.get(reverse(name, args=[split.pk])).content.decode()
    assert "E2 ×" not in client.get(reverse("assessments:notifications")).content.decode()
    # Another extreme disagreement on E2, e-mailed: to the supervisor, not to alice.
    _rate(split, factories.member(split.team, "analyst", username="dan"), 1, ("II", "CC", "CC"))
    with django_capture_on_commit_callbacks(execute=True):
        services.snapshot_compute(assessment_id=split.pk)
        send_digests()
    mailed = [m for m in mailoutbox if "E2" in m.body]
    assert mailed and all("alice@example.org" not in m.to for m in mailed)
    assert any("sam@example.org" in m.to for m in mailed)


def test_an_alert_about_a_row_she_has_rated_reaches_her(client, split, analyst, teammate):
    _rate(split, analyst, 1, ("N", "N", "N"))
    services.snapshot_compute(assessment_id=split.pk)
    client.force_login(analyst)
    feed = client.get(reverse("assessments:activity", args=[split.pk])).content.decode()
    assert "disagreement on E2 × H1" in feed


def test_the_team_panel_does_not_move_when_a_teammate_rates_a_row_she_has_not(client, split, analyst, teammate):
    client.force_login(analyst)
    before = client.get(reverse("ach:panel", args=[split.pk])).content.decode()
    _rate(split, teammate, 2, ("II", "CC", "I"))
    services.snapshot_compute(assessment_id=split.pk)
    after = client.get(reverse("ach:panel", args=[split.pk])).content.decode()

    def figures(html: str) -> str:
        return html[html.index("<h2>Team scores</h2>") :].split('id="snapshot-status"')[1].split("</p>", 1)[1]

    assert "Team view over the 1 items you have rated; 4 hidden until you rate them." in after
    assert figures(before) == figures(after)


def test_once_she_has_rated_every_row_she_sees_what_the_supervisor_sees(split, analyst, supervisor):
    for row in range(5):
        _rate(split, analyst, row, ("C", "I", "N"))
    snapshot = services.snapshot_compute(assessment_id=split.pk)
    alice = view_for(assessment=split, user=analyst)
    assert not alice.hides_anything and alice.notice("ach") == ""
    assert results_for(view=alice, snapshot=snapshot) == snapshot.results


def test_an_analysts_fork_with_ratings_copies_only_what_she_may_see(split, analyst, team):
    fork = assessment_fork(assessment=split, user=analyst, with_ratings=True)
    copied = set(Rating.objects.filter(assessment=fork).values_list("analyst__username", "evidence__key"))
    assert ("bob", "E1") in copied and ("carol", "E1") in copied
    assert not {("bob", "E2"), ("carol", "E2")} & copied
    admin = factories.member(team, "team_admin", username="tara")
    whole = assessment_fork(assessment=split, user=admin, with_ratings=True)
    assert Rating.objects.filter(assessment=whole).count() == Rating.objects.filter(assessment=split).count()


def test_an_unjudged_assumptions_team_spread_is_not_in_her_snapshot(client, assessment, analyst, teammate, carol):
    assumption = assumption_create(
        assessment=assessment, user=analyst, statement="Borders stay shut", confidence="caveats", impact="high"
    )
    judgment_set(assumption=assumption, analyst=teammate, confidence="solid", impact="high")
    judgment_set(assumption=assumption, analyst=carol, confidence="unsupported", impact="low")
    services.snapshot_compute(assessment_id=assessment.pk)
    client.force_login(analyst)
    techniques = client.get(reverse("api:snapshot-latest", args=[assessment.pk])).json()["techniques"]
    spread = techniques["key_assumptions"]["assumptions"]["A1"]["team_spread"]
    assert spread["confidence"]["counts"] == {"solid": 0, "caveats": 0, "unsupported": 0}
    assert techniques["key_assumptions"]["disagreements"] == []
    history = client.get(reverse("key_assumptions:history", args=[assessment.pk, assumption.pk])).content.decode()
    assert "unsupported, low" not in history and "bob" not in history
    judgment_set(assumption=assumption, analyst=analyst, confidence="caveats", impact="high")
    services.snapshot_compute(assessment_id=assessment.pk)
    techniques = client.get(reverse("api:snapshot-latest", args=[assessment.pk])).json()["techniques"]
    assert techniques["key_assumptions"]["assumptions"]["A1"]["team_spread"]["confidence"]["counts"]["unsupported"] == 1


def test_a_rating_that_completes_a_row_reuses_her_view_until_the_next_snapshot(split, analyst, monkeypatch):
    # The rating's response stays O(row): the results computed while she hid more are still hers to see.
    from apps.assessments import visibility

    cache.clear()
    scored = []
    rule = visibility.RULES["ach"]
    counting = dataclasses.replace(rule, results=lambda *args: scored.append(1) or rule.results(*args))
    monkeypatch.setitem(visibility.RULES, "ach", counting)
    snapshot = ScoreSnapshot.objects.filter(assessment=split).order_by("-version").first()
    first = results_for(view=view_for(assessment=split, user=analyst), snapshot=snapshot)
    _rate(split, analyst, 1, ("N", "N", "N"))
    assert results_for(view=view_for(assessment=split, user=analyst), snapshot=snapshot) == first
    assert len(scored) == 1
    newer = services.snapshot_compute(assessment_id=split.pk)
    results_for(view=view_for(assessment=split, user=analyst), snapshot=newer)
    assert len(scored) == 2


def test_views_hiding_the_same_rows_share_one_computation_and_each_sees_only_her_own_scores(
    split, analyst, teammate, carol, monkeypatch
):
    # bob and carol have each rated E1 and E2 and hide E3–E5; alice hides E2 too, so hers are her own.
    from apps.assessments import visibility

    cache.clear()
    scored = []
    rule = visibility.RULES["ach"]
    counting = dataclasses.replace(rule, results=lambda *args: scored.append(1) or rule.results(*args))
    monkeypatch.setitem(visibility.RULES, "ach", counting)
    snapshot = ScoreSnapshot.objects.filter(assessment=split).order_by("-version").first()
    bob = results_for(view=view_for(assessment=split, user=teammate), snapshot=snapshot)["ach"]
    carols = results_for(view=view_for(assessment=split, user=carol), snapshot=snapshot)["ach"]
    assert len(scored) == 1
    assert list(bob["analysts"]) == ["bob"] and list(carols["analysts"]) == ["carol"]
    assert {k: v for k, v in bob.items() if k != "analysts"} == {k: v for k, v in carols.items() if k != "analysts"}
    alice = results_for(view=view_for(assessment=split, user=analyst), snapshot=snapshot)["ach"]
    assert len(scored) == 2
    # Her team figures are over E1 alone: not the ones bob and carol share, which count their E2.
    assert alice["team"] != bob["team"] and list(alice["analysts"]) == ["alice"]


def test_the_members_views_asked_at_once_are_each_members_own_view(split, analyst, teammate, carol, supervisor):
    assumption = assumption_create(
        assessment=split, user=analyst, statement="Borders stay shut", confidence="caveats", impact="high"
    )
    judgment_set(assumption=assumption, analyst=teammate, confidence="solid", impact="high")
    _rate(split, carol, 2, ("C", "C"))  # part of a row is not the row
    members = [analyst, teammate, carol, supervisor]
    views = views_of_members(assessment=split, users=members)
    assert views == {user.pk: view_for(assessment=split, user=user) for user in members}
    assert views[teammate.pk].hidden["key_assumptions"] == frozenset()
    assert views[carol.pk].hidden["key_assumptions"] == {assumption.pk}


def test_with_no_hypothesis_every_row_counts_as_rated_for_every_member(team, analyst, teammate):
    bare = factories.assessment_with_matrix(team=team, user=analyst, hypotheses=())
    views = views_of_members(assessment=bare, users=[analyst, teammate])
    assert not views[analyst.pk].hides_anything and not views[teammate.pk].hides_anything
    assert views[teammate.pk] == view_for(assessment=bare, user=teammate)


def test_a_panel_rendered_for_one_view_is_served_to_the_views_hiding_the_same_rows_only(
    client, split, analyst, teammate, carol, monkeypatch
):
    # bob and carol hide E3–E5, alice E2 too: carol is served bob's panel, alice her own.
    from apps.ach.views import matrix

    cache.clear()
    url = reverse("ach:panel", args=[split.pk])
    client.force_login(teammate)
    bobs = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    cache.clear()
    client.force_login(carol)
    carols = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert carols == bobs
    monkeypatch.setattr(matrix, "render_to_string", lambda *args, **kwargs: "rendered again")
    assert client.get(url, HTTP_HX_REQUEST="true").content.decode() == carols
    client.force_login(analyst)
    assert client.get(url, HTTP_HX_REQUEST="true").content.decode() == "rendered again"

"""The check page and its htmx endpoints: roles, team isolation, inline validation, bounded queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.assessments.models import Evidence
from apps.key_assumptions import services
from apps.key_assumptions.models import Assumption, CheckRound, CollectionRequirement, EvidenceLink, Judgment
from tests import factories
from tests.conftest import login

from .conftest import make_assumption

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, assessment, *args):
    return reverse(f"key_assumptions:{name}", args=[assessment.pk, *args])


def _new_assumption_post(**overrides):
    data = {
        "statement": "Local Sahel populations reject AQIM's Salafism.",
        "rationale": "Sufi traditions; resentment of imposed shari'a.",
        "citation": "§ Outlook ¶4",
        "could_be_untrue": "If AQIM buys loyalty with ransom money.",
        "confidence": "caveats",
        "impact": "high",
    }
    return data | overrides


def test_the_page_lists_assumptions_with_key_uncertainties_first(client, analyst, assessment):
    make_assumption(assessment, analyst, statement="A solid premise", confidence="solid", impact="low")
    make_assumption(assessment, analyst, statement="An unsupported premise", confidence="unsupported", impact="high")
    response = login(client, analyst).get(url("check", assessment))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("An unsupported premise") < html.index("A solid premise")
    assert "Key uncertainty" in html


def test_the_manual_order_shows_the_teams_order_and_move_buttons(client, analyst, assessment):
    make_assumption(assessment, analyst, statement="A solid premise", confidence="solid", impact="low")
    make_assumption(assessment, analyst, statement="An unsupported premise", confidence="unsupported", impact="high")
    html = login(client, analyst).get(url("check", assessment) + "?sort=manual").content.decode()
    assert html.index("A solid premise") < html.index("An unsupported premise")
    assert "Move A1 up" in html


def test_an_outsider_cannot_create_an_assumption_in_another_teams_assessment(client, outsider, assessment):
    login(client, outsider).post(url("assumption_create", assessment), _new_assumption_post(owner=outsider.pk), **HTMX)
    assert not Assumption.objects.exists()


def test_an_assumption_of_another_assessment_is_404_under_this_one(client, analyst, team, assessment):
    other = factories.assessment_with_matrix(team=team, user=analyst)
    foreign = make_assumption(other, analyst)
    response = login(client, analyst).post(url("assumption_move", assessment, foreign.pk), {"direction": "up"}, **HTMX)
    assert response.status_code == 404


def test_a_supervisor_cannot_add_edit_or_judge_assumptions(client, supervisor, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    login(client, supervisor)
    assert (
        client.post(url("assumption_create", assessment), _new_assumption_post(owner=analyst.pk), **HTMX).status_code
        == 403
    )
    assert client.post(url("assumption_edit", assessment, assumption.pk), {}, **HTMX).status_code == 403
    judged = client.post(
        url("judgment_set", assessment, assumption.pk), {"confidence": "solid", "impact": "low"}, **HTMX
    )
    assert judged.status_code == 403
    assert Assumption.objects.count() == 1
    assert not Judgment.objects.exists()


def test_an_analyst_cannot_complete_the_check(client, analyst, assessment):
    make_assumption(assessment, analyst)
    response = login(client, analyst).post(url("check_complete", assessment), {}, **HTMX)
    assert response.status_code == 403
    assert not CheckRound.objects.exists()


def test_a_supervisor_completes_the_check_for_the_round(client, supervisor, analyst, assessment):
    make_assumption(assessment, analyst)
    response = login(client, supervisor).post(url("check_complete", assessment), {"note": "Looks complete"}, **HTMX)
    assert response.status_code == 200
    assert "round 1" in response.headers["HX-Trigger"]
    assert CheckRound.objects.get().completed_by == supervisor
    assert "Mark the check complete for round 2" in response.content.decode()


def test_completing_with_an_assumption_flagged_shows_the_reason_inline(client, supervisor, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    Assumption.objects.filter(pk=assumption.pk).update(needs_recheck=True)
    response = login(client, supervisor).post(url("check_complete", assessment), {}, **HTMX)
    assert 'id="complete-form"' in response.content.decode()
    assert "Re-check A1 before completing the check." in response.content.decode()
    assert not CheckRound.objects.exists()


def test_adding_an_assumption_inline_returns_the_list_and_a_fresh_form(client, analyst, assessment):
    response = login(client, analyst).post(
        url("assumption_create", assessment),
        _new_assumption_post(owner=analyst.pk, supports=[assessment.hypotheses.first().pk]),
        **HTMX,
    )
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == "#assumptions"
    assert "A1 recorded." in response.headers["HX-Trigger"]
    assert "Local Sahel populations reject" in html
    assert 'id="assumption-form"' in html and 'hx-swap-oob="true"' in html
    assumption = Assumption.objects.get()
    assert (assumption.key, assumption.owner, [h.key for h in assumption.supports.all()]) == ("A1", analyst, ["H1"])


def test_an_assumption_without_how_it_could_be_untrue_is_refused_inline(client, analyst, assessment):
    response = login(client, analyst).post(
        url("assumption_create", assessment), _new_assumption_post(owner=analyst.pk, could_be_untrue=""), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="assumption-form"' in html and "This field is required." in html
    assert "HX-Retarget" not in response.headers
    assert not Assumption.objects.exists()


def test_an_unknown_confidence_level_is_refused_inline(client, analyst, assessment):
    response = login(client, analyst).post(
        url("assumption_create", assessment), _new_assumption_post(owner=analyst.pk, confidence="likely"), **HTMX
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Assumption.objects.exists()


def test_an_owner_from_another_team_is_refused_inline(client, analyst, outsider, assessment):
    response = login(client, analyst).post(
        url("assumption_create", assessment), _new_assumption_post(owner=outsider.pk), **HTMX
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Assumption.objects.exists()


def test_the_edit_form_opens_inline_and_requires_a_reason(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    login(client, analyst)
    form = client.get(url("assumption_edit", assessment, assumption.pk), **HTMX).content.decode()
    assert "Reason for the change" in form
    data = _new_assumption_post(owner=analyst.pk, status="challenged", reason="")
    response = client.post(url("assumption_edit", assessment, assumption.pk), data, **HTMX)
    assert "This field is required." in response.content.decode()
    assumption.refresh_from_db()
    assert assumption.status == "open"


def test_an_edit_with_a_reason_saves_and_records_the_history(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    data = _new_assumption_post(owner=analyst.pk, status="challenged", reason="E7 contradicts it", version=1)
    response = login(client, analyst).post(url("assumption_edit", assessment, assumption.pk), data, **HTMX)
    assert response.headers["HX-Retarget"] == "#assumptions"
    assumption.refresh_from_db()
    assert assumption.status == "challenged"
    assert assumption.history.filter(action="edited", reason="E7 contradicts it").exists()
    history = client.get(url("history", assessment, assumption.pk), **HTMX).content.decode()
    assert "E7 contradicts it" in history and "open → challenged" in history


def test_the_history_opens_as_a_page_without_htmx(client, supervisor, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    response = login(client, supervisor).get(url("history", assessment, assumption.pk))
    html = response.content.decode()
    assert "<!doctype html>" in html
    assert "History of A1" in html and "Created" in html


def test_an_analyst_records_their_own_judgment_inline_and_gets_back_only_its_row(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    other = make_assumption(assessment, analyst)
    response = login(client, analyst).post(
        url("judgment_set", assessment, assumption.pk), {"confidence": "unsupported", "impact": "high"}, **HTMX
    )
    html = response.content.decode()
    assert response.headers["HX-Retarget"] == f"#assumption-{assumption.pk}"
    assert f'id="assumption-{assumption.pk}"' in html and f'id="assumption-{other.pk}"' not in html
    assert 'id="assumptions"' not in html
    judgment = Judgment.objects.get()
    assert (judgment.analyst, judgment.confidence, judgment.impact) == (analyst, "unsupported", "high")


def test_a_judgment_without_a_confidence_shows_the_error_in_its_row(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    response = login(client, analyst).post(url("judgment_set", assessment, assumption.pk), {"impact": "high"}, **HTMX)
    assert "confidence: This field is required." in response.content.decode()
    assert not Judgment.objects.exists()


def test_an_analyst_sees_the_teams_judgments_only_after_recording_their_own(client, analyst, teammate, assessment):
    assumption = make_assumption(assessment, analyst)
    services.judgment_set(
        assumption=assumption, analyst=teammate, confidence="unsupported", impact="low", note="bobnote"
    )
    login(client, analyst)
    before = client.get(url("check", assessment)).content.decode()
    assert "Record your own judgment to see the team" in before
    assert "bob: unsupported" not in before
    services.judgment_set(assumption=assumption, analyst=analyst, confidence="solid", impact="high")
    after = client.get(url("check", assessment)).content.decode()
    assert "bob: unsupported" in after
    assert "Team disagrees" in after


def test_a_supervisor_sees_every_judgment(client, supervisor, teammate, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    services.judgment_set(assumption=assumption, analyst=teammate, confidence="unsupported", impact="low")
    html = login(client, supervisor).get(url("check", assessment)).content.decode()
    assert "bob: unsupported" in html


def test_moving_an_assumption_changes_the_teams_order(client, analyst, assessment):
    make_assumption(assessment, analyst)
    second = make_assumption(assessment, analyst)
    login(client, analyst).post(
        url("assumption_move", assessment, second.pk), {"direction": "up", "sort": "manual"}, **HTMX
    )
    assert list(Assumption.objects.values_list("key", flat=True)) == ["A2", "A1"]


def test_linking_evidence_of_another_assessment_is_refused_inline(client, analyst, team, assessment):
    assumption = make_assumption(assessment, analyst)
    other = factories.assessment_with_matrix(team=team, user=analyst)
    data = {
        "link-assumption": assumption.pk,
        "link-evidence": other.evidence.first().pk,
        "link-relation": "challenges",
        "link-note": "x",
    }
    response = login(client, analyst).post(url("link_create", assessment), data, **HTMX)
    assert 'id="link-form"' in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    assert not EvidenceLink.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_linking_challenging_evidence_on_the_page_shows_the_needs_recheck_flag(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    evidence = assessment.evidence.get(key="E4")
    data = {
        "link-assumption": assumption.pk,
        "link-evidence": evidence.pk,
        "link-relation": "challenges",
        "link-note": "Contradicts it",
    }
    response = login(client, analyst).post(url("link_create", assessment), data, **HTMX)
    html = response.content.decode()
    assert "Needs re-check" in html
    assert "E4 challenges it (Contradicts it)" in html
    assert Assumption.objects.get().needs_recheck is True


@pytest.mark.django_db(transaction=True)
def test_new_challenging_evidence_from_the_page_is_added_and_linked(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    data = {
        "challenge-assumption": assumption.pk,
        "challenge-relation": "challenges",
        "challenge-note": "An attack plot in Paris",
        "challenge-summary": "A plot against a Paris metro station is foiled",
        "challenge-type": "report",
        "challenge-credibility": "high",
        "challenge-relevance": "high",
    }
    response = login(client, analyst).post(url("challenge_create", assessment), data, **HTMX)
    assert "Evidence E6 added" in response.headers["HX-Trigger"]
    link = EvidenceLink.objects.get()
    assert (link.evidence.key, link.relation, link.assumption) == ("E6", "challenges", assumption)
    assert Assumption.objects.get().needs_recheck is True


def test_new_evidence_without_a_summary_is_refused_inline_and_nothing_is_added(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    data = {"challenge-assumption": assumption.pk, "challenge-relation": "challenges", "challenge-note": "x"}
    response = login(client, analyst).post(url("challenge_create", assessment), data, **HTMX)
    assert 'id="challenge-form"' in response.content.decode()
    assert Evidence.objects.filter(assessment=assessment).count() == 5


def test_marking_rechecked_clears_the_flag(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    Assumption.objects.filter(pk=assumption.pk).update(needs_recheck=True, recheck_reason="E2 challenges it")
    login(client, analyst)
    empty = client.post(url("recheck", assessment, assumption.pk), {"reason": ""}, **HTMX)
    assert "This field is required." in empty.content.decode()
    response = client.post(url("recheck", assessment, assumption.pk), {"reason": "E2 is about the 1990s"}, **HTMX)
    assert "A1 re-checked." in response.headers["HX-Trigger"]
    assert Assumption.objects.get().needs_recheck is False


def test_a_collection_requirement_due_in_the_past_is_refused_inline(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst, confidence="unsupported")
    data = {"need": "Who recruits in France?", "due": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}
    response = login(client, analyst).post(url("requirement_create", assessment, assumption.pk), data, **HTMX)
    assert "The date is in the past." in response.content.decode()
    assert not CollectionRequirement.objects.exists()


def test_a_collection_requirement_is_listed_on_the_assessment(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst, confidence="unsupported")
    data = {"need": "Who recruits in France?", "due": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}
    response = login(client, analyst).post(url("requirement_create", assessment, assumption.pk), data, **HTMX)
    html = response.content.decode()
    assert 'id="requirements"' in html and "Who recruits in France?" in html
    page = client.get(url("check", assessment)).content.decode()
    assert "Who recruits in France?" in page


def test_a_solid_assumption_offers_no_collection_requirement(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst, confidence="solid")
    data = {"need": "More", "due": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()}
    response = login(client, analyst).post(url("requirement_create", assessment, assumption.pk), data, **HTMX)
    assert "Only an unsupported, challenged or flagged assumption" in response.content.decode()
    assert not CollectionRequirement.objects.exists()


def test_the_status_poll_answers_204_until_something_changes(client, analyst, assessment):
    assumption = make_assumption(assessment, analyst)
    login(client, analyst)
    page = client.get(url("check", assessment)).context
    token = page["status_token"]
    assert client.get(url("status", assessment), {"shown": token}, **HTMX).status_code == 204
    Assumption.objects.filter(pk=assumption.pk).update(needs_recheck=True)
    response = client.get(url("status", assessment), {"shown": token}, **HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "assumptions-refresh"


def test_the_page_runs_the_same_number_of_queries_for_3_or_20_assumptions(
    client, analyst, teammate, assessment, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            assumption = make_assumption(assessment, analyst, confidence="unsupported")
            services.judgment_set(assumption=assumption, analyst=teammate, confidence="solid", impact="low")
            services.evidence_link_set(
                assumption=assumption, evidence=assessment.evidence.first(), relation="challenges", user=analyst
            )
            services.requirement_create(assumption=assumption, user=analyst, need="Learn more", due=None)
            Assumption.objects.filter(pk=assumption.pk).update(needs_recheck=True, recheck_reason="E1 challenges it")

    login(client, analyst)
    add(3)
    client.get(url("check", assessment))  # warm the session and content-type caches
    # 16 for the page, one for the unread notifications in the header, two for the analyst's view
    # (apps.assessments.visibility: the rows she has rated, the assumptions she has judged).
    with django_assert_num_queries(19) as small:
        client.get(url("check", assessment))
    add(17)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url("check", assessment))

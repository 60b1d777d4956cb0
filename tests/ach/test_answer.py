"""The team's answer: both leaders, the items that move them apart (log-odds split) and the warning when the
posterior's lead rests only on consistent-versus-neutral evidence; the evidence contribution view."""

import math

import numpy as np
import pytest
from django.urls import reverse

from apps.ach import scoring
from apps.ach.services import rating_set
from apps.assessments.services import snapshot_compute
from tests.ach.test_scoring import matrix, score


def test_the_log_odds_split_by_item_on_a_hand_worked_matrix():
    # One analyst, H1 against H2, default likelihoods CC .95, C .8, N .5, I .2, II .05:
    # E1 [C, N], reliability .5: p = .5 × .8 + .25 = .65 against .5 → ln 1.3 = 0.262364.
    # E2 [II, N]: ln(.05 / .5) = ln .1 = −2.302585.
    # E3 [CC, NA]: NA takes the row's mean ℓ, .95 → ln 1 = 0.
    # E4 [C, C] and E5 [C, I] share an origin, so each counts ½: E4 0, E5 ln(.8 / .2) / 2 = 0.693147.
    # E6 [-, -]: not rated, 0.
    ratings = matrix(["C N", "II N", "CC NA", "C C", "C I", "- -"])
    reliability = np.array([0.5, 1, 1, 1, 1, 1])
    origins = np.array([-1, -1, -1, 0, 0, -1])
    split = scoring.log_odds_contributions(ratings, 0, 1, reliability=reliability, origins=origins)
    assert split[0] == pytest.approx([math.log(1.3), math.log(0.1), 0, 0, math.log(4) / 2, 0])
    # With uniform priors the split adds up to the posterior's log-odds exactly: 0.262364 − 2.302585 + 0.693147.
    scores = score(ratings, reliability=reliability, origins=origins)
    posterior = scores.analyst_posterior[0]
    assert split[0].sum() == pytest.approx(math.log(posterior[0] / posterior[1]))
    assert split[0].sum() == pytest.approx(-1.347074, abs=1e-6)


def test_the_team_split_is_the_pool_weighted_mean_of_the_analysts():
    # Alice rates 2 cells CC…II ([C, N]: +0.470004), bob 4 ([N, C] and [N, C]: −0.470004 each on E1 and E2).
    ratings = matrix(["C N", "- -"], ["N C", "N C"])
    split = scoring.log_odds_contributions(ratings, 0, 1)
    scores = score(ratings)
    team = scoring.team_log_odds_contributions(split, scores.analyst_pool_weight)
    # E1: (2 × 0.470004 + 4 × −0.470004) / 6 = −0.156668; E2: (2 × 0 + 4 × −0.470004) / 6 = −0.313336.
    assert team == pytest.approx([-0.156668, -0.313336], abs=1e-6)


# Four items C on H1 and N on H2 (+0.470004 each, 1.880016) and one I on H1 (ln(.2/.5) = −0.916291): the
# posterior favours H1 by 0.963725 nats, but H1 is the one with an item against it, so the ranking puts H2
# first. The only item with an I or II favours H2: the lead rests on consistent evidence alone.
CONSISTENT_ONLY = ["C N", "C N", "C N", "C N", "I N"]


def test_a_lead_built_from_consistent_evidence_alone_is_flagged():
    ratings = matrix(CONSISTENT_ONLY)
    scores = score(ratings)
    assert (scores.leader_by_posterior, scores.leader_by_inconsistency) == (0, 1)
    split = scoring.log_odds_contributions(ratings, 0, 1)[0]
    assert split.sum() == pytest.approx(4 * math.log(1.6) + math.log(0.4))
    assert scoring.lead_rests_on_consistency(split, scores.consensus, 0, 1)
    # A lead that an inconsistent rating of the other hypothesis builds is not.
    other = matrix(["N I", "C N"])
    other_split = scoring.log_odds_contributions(other, 0, 1)[0]
    assert not scoring.lead_rests_on_consistency(other_split, score(other).consensus, 0, 1)


def _rate_rows(assessment, analyst, rows: list[str]) -> None:
    evidence = list(assessment.evidence.order_by("order", "id"))
    hypotheses = list(assessment.hypotheses.order_by("order", "id"))
    for e, row in enumerate(rows):
        for h, label in enumerate(row.split()):
            rating_set(
                assessment=assessment,
                analyst=analyst,
                evidence_id=evidence[e].pk,
                hypothesis_id=hypotheses[h].pk,
                label=label,
            )


@pytest.fixture
def two_leaders(team, analyst):
    from tests import factories

    assessment = factories.assessment_with_matrix(team=team, user=analyst, hypotheses=("One", "Two"), evidence=5)
    _rate_rows(assessment, analyst, CONSISTENT_ONLY)
    snapshot_compute(assessment_id=assessment.pk)
    return assessment


# On the page the items are medium/medium: r = .7 × .75 = .525, so C is .525 × .8 + .475 × .5 = .6575 and I
# .525 × .2 + .2375 = .3425 against N's .5: each C item ln 1.315 = 0.273837 toward H1, E5 ln .685 = −0.378336.


@pytest.mark.django_db
def test_the_matrix_page_names_both_leaders_why_they_differ_and_warns(client, two_leaders, analyst):
    client.force_login(analyst)
    page = client.get(reverse("ach:matrix", args=[two_leaders.pk])).content.decode()
    card = page[page.index('id="answer"') :]
    assert "Leader by inconsistency</th><td><strong>H2" in card and "Leader by posterior</th><td><strong>H1" in card
    assert 'id="answer-why"' in card and "<strong>E5</strong> -0.38</li><li><strong>E1</strong> 0.27" in card
    assert "1.10 toward H1 and -0.38 toward H2" in card
    assert 'id="consistent-only-warning"' in card
    assert "?first=H1&amp;second=H2" in card


@pytest.mark.django_db
def test_the_contribution_view_sorts_the_items_for_the_pair_the_analyst_picks(client, two_leaders, analyst, outsider):
    client.force_login(analyst)
    url = reverse("ach:contributions", args=[two_leaders.pk])
    page = client.get(url, {"first": "H1", "second": "H2"}).content.decode()
    assert "<svg" in page and "cdn" not in page.lower()
    order = [page.index(f'data-key="E{n}"') for n in (5, 1, 2, 3, 4)]
    assert order == sorted(order)  # E5 (−0.38) first, then the four +0.27 in matrix order
    assert 'data-key="E5" data-value="-0.378336"' in page and 'data-key="E1" data-value="0.273837"' in page
    # The other way round, the signs turn.
    assert 'data-key="E5" data-value="0.378336"' in client.get(url, {"first": "H2", "second": "H1"}).content.decode()
    assert client.get(url, {"first": "H1", "second": "H1"}).status_code == 400
    assert client.get(url, {"first": "H1", "second": "H9"}).status_code == 400
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_review_board_and_the_report_show_the_same_answer(client, two_leaders, supervisor):
    client.force_login(supervisor)
    for name in ("reviews:board", "reviews:report"):
        page = client.get(reverse(name, args=[two_leaders.pk])).content.decode()
        card = page[page.index('id="answer"') :]
        assert "Leader by inconsistency</th><td><strong>H2" in card, name
        assert "Leader by posterior</th><td><strong>H1" in card and 'id="consistent-only-warning"' in card, name


@pytest.mark.django_db
def test_the_history_names_both_leaders(client, two_leaders, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("assessments:history", args=[two_leaders.pk])).content.decode()
    assert "<th>Leader by inconsistency</th><th>Leader by posterior</th>" in page
    assert "<td>H2</td><td>H1</td>" in page

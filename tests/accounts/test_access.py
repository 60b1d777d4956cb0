import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_analyst_sees_their_team_dashboard(client, analyst, assessment):
    client.force_login(analyst)
    response = client.get(reverse("assessments:list"))
    assert response.status_code == 200
    assert "Maghreb Desk" in response.content.decode()
    assert assessment.title in response.content.decode()


def test_outsider_does_not_see_another_teams_assessment_in_their_list(client, outsider, assessment):
    client.force_login(outsider)
    response = client.get(reverse("assessments:list"))
    assert assessment.title not in response.content.decode()


def test_supervisor_cannot_rate_cells(client, supervisor, assessment):
    client.force_login(supervisor)
    evidence, hypothesis = assessment.evidence.first(), assessment.hypotheses.first()
    response = client.post(
        reverse("ach:cell_set", args=[assessment.pk]),
        {"evidence": evidence.pk, "hypothesis": hypothesis.pk, "value": "CC"},
    )
    assert response.status_code == 403
    assert not evidence.ratings.exists()


def test_supervisor_cannot_create_assessments(client, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("assessments:create"), {"title": "t", "question": "q"})
    assert response.status_code == 403


def test_anonymous_user_is_sent_to_login(client, assessment):
    response = client.get(reverse("ach:matrix", args=[assessment.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_team_switcher_changes_the_current_team(client, analyst, other_team, team):
    from tests.factories import member

    member(other_team, "analyst", username=analyst.username)
    client.force_login(analyst)
    page = client.get(reverse("assessments:list")).content.decode()
    assert 'id="team-switcher"' in page
    client.post(reverse("accounts:switch_team", args=[other_team.pk]))
    page = client.get(reverse("assessments:list")).content.decode()
    assert "Sahel Cell: assessments" in page


def test_switching_to_a_team_you_are_not_in_is_404(client, analyst, other_team):
    client.force_login(analyst)
    assert client.post(reverse("accounts:switch_team", args=[other_team.pk])).status_code == 404


def test_login_page_logs_a_user_in(client, analyst):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:list")


def test_password_change_page_is_served(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("accounts:password_change")).status_code == 200

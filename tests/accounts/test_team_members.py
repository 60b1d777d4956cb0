"""A team admin manages the team's members in the app: add, change a role, remove; each change in the feed."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.accounts import services
from apps.accounts.exchange import TeamsFileError, teams_load
from apps.accounts.models import Membership, MembershipChange
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team_admin(team):
    return factories.member(team, "team_admin", username="tess")


@pytest.fixture
def newcomer(db):
    return factories.UserFactory(username="nadia")


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _membership(user, team):
    return Membership.objects.get(user=user, team=team)


def _state(team):
    return sorted(Membership.objects.filter(team=team).values_list("user__username", "role", "version"))


def test_a_team_admin_adds_an_existing_account_and_the_feed_records_it(client, team, team_admin, newcomer):
    login(client, team_admin)
    response = client.post(
        reverse("accounts:team_member_add", args=[team.pk]), {"username": " nadia ", "role": "supervisor"}, **HTMX
    )
    assert response.status_code == 200
    assert _membership(newcomer, team).role == "supervisor"
    page = _text(response)
    assert 'id="members"' in page and "nadia added as supervisor" in page and "<html" not in page
    change = MembershipChange.objects.get(team=team)
    assert (change.actor, change.member, change.before, change.after, change.via) == (
        team_admin,
        newcomer,
        "",
        "supervisor",
        "team page",
    )
    assert change.created_at is not None


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"username": "nobody", "role": "analyst"}, "There is no active account named “nobody”"),
        ({"username": "alice", "role": "analyst"}, "alice is already a member of Maghreb Desk (Analyst)"),
        ({"username": "nadia", "role": "boss"}, "Select a valid choice"),
        ({"username": "", "role": "analyst"}, "This field is required"),
    ],
)
def test_a_bad_add_says_why_and_changes_nothing(client, team, team_admin, analyst, newcomer, posted, message):
    before = _state(team)
    login(client, team_admin)
    response = client.post(reverse("accounts:team_member_add", args=[team.pk]), posted, **HTMX)
    assert response.status_code == 200
    assert message in _text(response)
    assert _state(team) == before and not MembershipChange.objects.exists()


def test_an_inactive_account_is_not_added(team, team_admin, newcomer):
    newcomer.is_active = False
    newcomer.save()
    with pytest.raises(ValidationError):
        services.membership_add(actor=team_admin, team=team, username="nadia", role="analyst")
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_role_change_records_before_and_after_and_moves_the_version(client, team, team_admin, analyst):
    login(client, team_admin)
    membership = _membership(analyst, team)
    response = client.post(
        reverse("accounts:team_member_role", args=[team.pk, membership.pk]),
        {"role": "supervisor", "version": membership.version},
        **HTMX,
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.role, membership.version) == ("supervisor", 2)
    change = MembershipChange.objects.get(team=team)
    assert (change.username, change.before, change.after, change.actor) == (
        "alice",
        "analyst",
        "supervisor",
        team_admin,
    )
    assert "alice: analyst → supervisor" in _text(response)


def test_a_stale_role_change_is_refused(client, team, team_admin, analyst):
    membership = _membership(analyst, team)
    shown = membership.version
    services.membership_role_set(
        actor=team_admin, team=team, membership_id=membership.pk, role="supervisor", version=shown
    )
    before = _state(team)
    login(client, team_admin)
    response = client.post(
        reverse("accounts:team_member_role", args=[team.pk, membership.pk]),
        {"role": "team_admin", "version": shown},
        **HTMX,
    )
    assert response.status_code == 200
    assert "alice's role was changed meanwhile (now Supervisor)" in _text(response)
    assert _state(team) == before and MembershipChange.objects.count() == 1


def test_removing_a_member_keeps_the_account_and_records_the_role_it_had(client, team, team_admin, analyst):
    membership = _membership(analyst, team)
    login(client, team_admin)
    response = client.post(
        reverse("accounts:team_member_remove", args=[team.pk, membership.pk]), {"version": membership.version}, **HTMX
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_user_model().objects.filter(username="alice").exists()
    change = MembershipChange.objects.get(team=team)
    assert (change.before, change.after, change.username) == ("analyst", "", "alice")
    assert "alice removed (was analyst)" in _text(response)


def test_removing_a_member_removed_meanwhile_says_so(client, team, team_admin, analyst):
    membership = _membership(analyst, team)
    services.membership_remove(actor=team_admin, team=team, membership_id=membership.pk, version=membership.version)
    login(client, team_admin)
    response = client.post(
        reverse("accounts:team_member_remove", args=[team.pk, membership.pk]), {"version": membership.version}, **HTMX
    )
    assert response.status_code == 200
    assert "removed from the team meanwhile" in _text(response)
    assert MembershipChange.objects.count() == 1


def test_the_last_team_admin_is_neither_removed_nor_demoted(client, team, team_admin, analyst):
    membership = _membership(team_admin, team)
    login(client, team_admin)
    before = _state(team)
    for url, data in (
        (reverse("accounts:team_member_remove", args=[team.pk, membership.pk]), {"version": 1}),
        (reverse("accounts:team_member_role", args=[team.pk, membership.pk]), {"role": "analyst", "version": 1}),
    ):
        response = client.post(url, data, **HTMX)
        assert response.status_code == 200
        assert "tess is Maghreb Desk's last team admin" in _text(response)
    assert _state(team) == before and not MembershipChange.objects.exists()


def test_a_team_admin_who_steps_down_leaves_for_the_profile(client, team, team_admin, analyst):
    services.membership_role_set(
        actor=team_admin, team=team, membership_id=_membership(analyst, team).pk, role="team_admin", version=1
    )
    login(client, team_admin)
    mine = _membership(team_admin, team)
    response = client.post(
        reverse("accounts:team_member_role", args=[team.pk, mine.pk]), {"role": "analyst", "version": 1}, **HTMX
    )
    assert response["HX-Redirect"] == reverse("accounts:profile")
    assert _membership(team_admin, team).role == "analyst"
    assert client.get(reverse("accounts:team_members", args=[team.pk])).status_code == 403


def test_a_plain_form_post_redirects_with_a_message(client, team, team_admin, newcomer):
    login(client, team_admin)
    response = client.post(
        reverse("accounts:team_member_add", args=[team.pk]), {"username": "nadia", "role": "analyst"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:team_members", args=[team.pk])
    response = client.post(
        reverse("accounts:team_member_add", args=[team.pk]), {"username": "nobody", "role": "analyst"}
    )
    assert response.status_code == 302
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "There is no active account named “nobody”" in page


def test_only_team_admins_and_site_admins_manage_members(
    client, team, team_admin, analyst, supervisor, outsider, newcomer
):
    membership = _membership(analyst, team)
    urls = [
        ("get", reverse("accounts:team_members", args=[team.pk]), {}),
        ("post", reverse("accounts:team_member_add", args=[team.pk]), {"username": "nadia", "role": "analyst"}),
        (
            "post",
            reverse("accounts:team_member_role", args=[team.pk, membership.pk]),
            {"role": "team_admin", "version": 1},
        ),
        ("post", reverse("accounts:team_member_remove", args=[team.pk, membership.pk]), {"version": 1}),
    ]
    for user, status in ((analyst, 403), (supervisor, 403), (outsider, 404)):
        login(client, user)
        for method, url, data in urls:
            assert getattr(client, method)(url, data).status_code == status, (user, url)
    assert _state(team) == sorted([("alice", "analyst", 1), ("sam", "supervisor", 1), ("tess", "team_admin", 1)])
    assert not MembershipChange.objects.exists()
    site_admin = factories.UserFactory(username="root", is_staff=True)
    login(client, site_admin)
    assert client.get(urls[0][1]).status_code == 200
    assert client.post(urls[1][1], urls[1][2]).status_code == 302
    assert MembershipChange.objects.get().actor == site_admin


def test_the_services_refuse_a_member_who_is_not_a_team_admin(team, analyst, newcomer):
    with pytest.raises(PermissionDenied):
        services.membership_add(actor=analyst, team=team, username="nadia", role="team_admin")
    assert not Membership.objects.filter(user=newcomer).exists()


def test_user_text_on_the_page_is_escaped(client, team, team_admin):
    factories.member(team, "analyst", username="x<b>y", first_name="<script>alert(1)</script>")
    login(client, team_admin)
    page = client.get(reverse("accounts:team_members", args=[team.pk])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page and "x<b>y" not in page


def test_the_members_page_runs_a_bounded_number_of_queries(client, team, team_admin, django_assert_max_num_queries):
    for i in range(30):
        factories.member(team, "analyst", username=f"member{i}")
    for i in range(5):
        services.membership_role_set(
            actor=team_admin,
            team=team,
            membership_id=Membership.objects.get(user__username=f"member{i}").pk,
            role="supervisor",
            version=None,
        )
    login(client, team_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:team_members", args=[team.pk]))
    assert response.status_code == 200 and _text(response).count('id="member-') == 32


def test_the_profile_links_team_admins_to_the_members_page(client, team, team_admin, analyst):
    url = reverse("accounts:team_members", args=[team.pk])
    login(client, team_admin)
    assert url in client.get(reverse("accounts:profile")).content.decode()
    login(client, analyst)
    assert url not in client.get(reverse("accounts:profile")).content.decode()


def test_the_teams_file_changes_roles_through_the_same_services(team, team_admin, analyst):
    site_admin = factories.UserFactory(username="root", is_staff=True)
    data = {
        "format": "sat-workbench/teams@1",
        "teams": [
            {
                "name": "Maghreb Desk",
                "members": [{"username": "alice", "role": "supervisor"}, {"username": "zoe", "role": "analyst"}],
            }
        ],
    }
    teams_load(data=data, actor=site_admin)
    changes = {(c.username, c.before, c.after, c.via, c.actor) for c in MembershipChange.objects.all()}
    assert changes == {
        ("alice", "analyst", "supervisor", "teams file", site_admin),
        ("zoe", "", "analyst", "teams file", site_admin),
    }


def test_a_teams_file_that_demotes_the_last_team_admin_is_refused_whole(team, team_admin, analyst):
    data = {
        "format": "sat-workbench/teams@1",
        "teams": [
            {
                "name": "Maghreb Desk",
                "members": [{"username": "zoe", "role": "analyst"}, {"username": "tess", "role": "analyst"}],
            }
        ],
    }
    with pytest.raises(TeamsFileError) as exc:
        teams_load(data=data)
    assert exc.value.errors == [
        "teams[0].members[1]: tess is Maghreb Desk's last team admin: make another member team admin first."
    ]
    assert _membership(team_admin, team).role == "team_admin"
    assert not get_user_model().objects.filter(username="zoe").exists() and not MembershipChange.objects.exists()


def test_a_teams_file_may_hand_the_team_admin_role_over(team, team_admin, analyst):
    data = {
        "format": "sat-workbench/teams@1",
        "teams": [
            {
                "name": "Maghreb Desk",
                "members": [{"username": "tess", "role": "analyst"}, {"username": "alice", "role": "team_admin"}],
            }
        ],
    }
    teams_load(data=data)
    assert (_membership(team_admin, team).role, _membership(analyst, team).role) == ("analyst", "team_admin")

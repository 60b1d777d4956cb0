from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_verify, name="login_verify"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/begin/", views.two_factor_begin, name="two_factor_begin"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("teams/<int:team_id>/second-factor/", views.team_second_factor, name="team_second_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    # Password reset by e-mail: the new password does not sign in; the user then logs in (axes, second factor).
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("teams/<int:team_id>/switch/", views.switch_team, name="switch_team"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/members/", views.team_members, name="team_members"),
    path("teams/<int:team_id>/members/add/", views.team_member_add, name="team_member_add"),
    path("teams/<int:team_id>/members/<int:membership_id>/role/", views.team_member_role, name="team_member_role"),
    path(
        "teams/<int:team_id>/members/<int:membership_id>/remove/", views.team_member_remove, name="team_member_remove"
    ),
]

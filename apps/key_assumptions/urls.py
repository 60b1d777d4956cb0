from django.urls import path

from .views import check, evidence, review

app_name = "key_assumptions"

urlpatterns = [
    path("assessments/<int:pk>/assumptions/", check.check, name="check"),
    path("assessments/<int:pk>/assumptions/status/", check.status, name="status"),
    path("assessments/<int:pk>/assumptions/add/", check.assumption_create, name="assumption_create"),
    path("assessments/<int:pk>/assumptions/<int:assumption_id>/edit/", check.assumption_edit, name="assumption_edit"),
    path("assessments/<int:pk>/assumptions/<int:assumption_id>/move/", check.assumption_move, name="assumption_move"),
    path("assessments/<int:pk>/assumptions/<int:assumption_id>/judgment/", check.judgment_set, name="judgment_set"),
    path("assessments/<int:pk>/assumptions/<int:assumption_id>/recheck/", check.recheck, name="recheck"),
    path("assessments/<int:pk>/assumptions/<int:assumption_id>/history/", check.history, name="history"),
    path(
        "assessments/<int:pk>/assumptions/<int:assumption_id>/requirements/",
        check.requirement_create,
        name="requirement_create",
    ),
    path(
        "assessments/<int:pk>/assumptions/requirements/<int:requirement_id>/status/",
        review.requirement_status,
        name="requirement_status",
    ),
    path("assessments/<int:pk>/assumptions/links/", evidence.link_create, name="link_create"),
    path("assessments/<int:pk>/assumptions/links/<int:link_id>/delete/", evidence.link_delete, name="link_delete"),
    path("assessments/<int:pk>/assumptions/challenge/", evidence.challenge_create, name="challenge_create"),
    path("assessments/<int:pk>/assumptions/complete/", review.check_complete, name="check_complete"),
]

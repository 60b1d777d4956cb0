from django.urls import path

from .views import board, indicator

app_name = "indicators"

urlpatterns = [
    path("assessments/<int:pk>/indicators/", board.board, name="board"),
    path("assessments/<int:pk>/indicators/panel/", board.panel, name="panel"),
    path("assessments/<int:pk>/indicators/as-of/", board.as_of_set, name="as_of"),
    path("assessments/<int:pk>/indicators/new/", board.indicator_create, name="create"),
    path("assessments/<int:pk>/indicators/status-steps/", board.status_labels, name="status_labels"),
    path("assessments/<int:pk>/indicators/<int:indicator_id>/", indicator.detail, name="detail"),
    path("assessments/<int:pk>/indicators/<int:indicator_id>/edit/", indicator.edit, name="edit"),
    path("assessments/<int:pk>/indicators/<int:indicator_id>/delete/", indicator.delete, name="delete"),
    path(
        "assessments/<int:pk>/indicators/<int:indicator_id>/validator/", indicator.validation_set, name="validation_set"
    ),
    path(
        "assessments/<int:pk>/indicators/<int:indicator_id>/observations/",
        indicator.observation_add,
        name="observation_add",
    ),
    path(
        "assessments/<int:pk>/indicators/<int:indicator_id>/observations/<int:observation_id>/delete/",
        indicator.observation_delete,
        name="observation_delete",
    ),
    path("assessments/<int:pk>/indicators/<int:indicator_id>/review/", indicator.review, name="review"),
]

from django.urls import path

import apps.core.converters  # noqa: F401 - registers the export_format converter

from .views import exchange, history, matrix

app_name = "ach"

urlpatterns = [
    path("assessments/<int:pk>/", matrix.matrix, name="matrix"),
    path("assessments/<int:pk>/cells/", matrix.cell_set, name="cell_set"),
    path("assessments/<int:pk>/panel/", matrix.panel, name="panel"),
    path("assessments/<int:pk>/priors/", matrix.priors, name="priors"),
    path("assessments/<int:pk>/priors/set/", matrix.priors_set, name="priors_set"),
    path("assessments/<int:pk>/hypotheses/", matrix.hypothesis_create, name="hypothesis_create"),
    path("assessments/<int:pk>/hypotheses/<int:hypothesis_id>/edit/", matrix.hypothesis_edit, name="hypothesis_edit"),
    path(
        "assessments/<int:pk>/hypotheses/<int:hypothesis_id>/delete/",
        matrix.hypothesis_delete,
        name="hypothesis_delete",
    ),
    path("assessments/<int:pk>/hypotheses/<int:hypothesis_id>/move/", matrix.hypothesis_move, name="hypothesis_move"),
    path("assessments/<int:pk>/evidence/", matrix.evidence_create, name="evidence_create"),
    path("assessments/<int:pk>/evidence/<int:evidence_id>/edit/", matrix.evidence_edit, name="evidence_edit"),
    path("assessments/<int:pk>/evidence/<int:evidence_id>/delete/", matrix.evidence_delete, name="evidence_delete"),
    path("assessments/<int:pk>/evidence/<int:evidence_id>/move/", matrix.evidence_move, name="evidence_move"),
    path("assessments/<int:pk>/evidence/import/", exchange.evidence_import, name="evidence_import"),
    path("assessments/<int:pk>/history/", history.history, name="history"),
    path("assessments/<int:pk>/history/<int:version>/", history.snapshot_detail, name="snapshot"),
    path("assessments/<int:pk>/export.<export_format:fmt>", exchange.export, name="export"),
    path("assessments/import/", exchange.assessment_import, name="import"),
]

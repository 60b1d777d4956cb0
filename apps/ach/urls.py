from django.urls import path

import apps.core.converters  # noqa: F401 - registers the export_format converter

from .views import contributions, export, judgments, matrix, versions

app_name = "ach"

urlpatterns = [
    path("assessments/<int:pk>/", matrix.matrix, name="matrix"),
    path("assessments/<int:pk>/cells/", matrix.cell_set, name="cell_set"),
    path("assessments/<int:pk>/panel/", matrix.panel, name="panel"),
    path("assessments/<int:pk>/priors/", matrix.priors, name="priors"),
    path("assessments/<int:pk>/priors/set/", matrix.priors_set, name="priors_set"),
    path("assessments/<int:pk>/versions/<int:version>/", versions.as_of, name="as_of"),
    path("assessments/<int:pk>/versions/<int:before>/diff/<int:after>/", versions.diff, name="version_diff"),
    path("assessments/<int:pk>/reliability/", judgments.reliability, name="reliability"),
    path("assessments/<int:pk>/judgments/", judgments.judgments, name="judgments"),
    path("assessments/<int:pk>/stated/", judgments.stated_set, name="stated_set"),
    path("assessments/<int:pk>/resolve/", judgments.resolve, name="resolve"),
    path("assessments/<int:pk>/unresolve/", judgments.unresolve, name="unresolve"),
    path("assessments/<int:pk>/post-mortem/", judgments.post_mortem, name="post_mortem"),
    path("assessments/<int:pk>/contributions/", contributions.contributions, name="contributions"),
    path("assessments/<int:pk>/export.<export_format:fmt>", export.export_table, name="export"),
]

from django.urls import path

import apps.core.converters  # noqa: F401 - registers the export_format converter

from .views import export, matrix

app_name = "ach"

urlpatterns = [
    path("assessments/<int:pk>/", matrix.matrix, name="matrix"),
    path("assessments/<int:pk>/cells/", matrix.cell_set, name="cell_set"),
    path("assessments/<int:pk>/panel/", matrix.panel, name="panel"),
    path("assessments/<int:pk>/priors/", matrix.priors, name="priors"),
    path("assessments/<int:pk>/priors/set/", matrix.priors_set, name="priors_set"),
    path("assessments/<int:pk>/export.<export_format:fmt>", export.export_table, name="export"),
]

from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("assessments/<int:pk>/sources/", views.register, name="register"),
    path("assessments/<int:pk>/sources/add/", views.source_create, name="source_create"),
    path("assessments/<int:pk>/sources/items/", views.item_source, name="item_source"),
    path("assessments/<int:pk>/sources/<int:source_id>/edit/", views.source_edit, name="source_edit"),
    path("assessments/<int:pk>/sources/<int:source_id>/retract/", views.source_retract, name="source_retract"),
    path("assessments/<int:pk>/sources/<int:source_id>/restore/", views.source_restore, name="source_restore"),
    path("assessments/<int:pk>/sources/<int:source_id>/checklist/", views.deception_answer, name="deception_answer"),
]

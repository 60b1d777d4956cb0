from django.urls import path
from django.views.generic import RedirectView

from .views import assessments, exchange, history, items

app_name = "assessments"

urlpatterns = [
    path("", assessments.assessment_list, name="list"),
    # Newcomers guess the list's address from its pages' (/assessments/7/).
    path("assessments/", RedirectView.as_view(pattern_name="assessments:list"), name="list_redirect"),
    path("assessments/new/", assessments.assessment_create, name="create"),
    path("assessments/import/", exchange.assessment_import, name="import"),
    path("assessments/<int:pk>/activity/", assessments.activity, name="activity"),
    path("assessments/<int:pk>/review/", assessments.review, name="review"),
    path("assessments/<int:pk>/archive/", assessments.archive, name="archive"),
    path("assessments/<int:pk>/history/", history.history, name="history"),
    path("assessments/<int:pk>/history/<int:version>/", history.snapshot_detail, name="snapshot"),
    path("assessments/<int:pk>/export.json", exchange.export_json, name="export_json"),
    path("assessments/<int:pk>/evidence/import/", exchange.evidence_import, name="evidence_import"),
    path("notifications/", assessments.notifications, name="notifications"),
    path("notifications/read/", assessments.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/open/", assessments.notification_open, name="notification_open"),
    path("assessments/<int:pk>/follow/", assessments.follow, name="follow"),
    path("assessments/<int:pk>/marking/", assessments.marking, name="marking"),
    path("assessments/<int:pk>/fork/", assessments.fork, name="fork"),
    path("upload/", exchange.upload, name="upload"),
    path("upload/<int:pk>/", exchange.upload_progress, name="upload_progress"),
]

# Hypotheses and evidence share one set of views; the kind rides along as a URL keyword.
for kind, plural in (("hypothesis", "hypotheses"), ("evidence", "evidence")):
    urlpatterns += [
        path(f"assessments/<int:pk>/{plural}/", items.item_create, {"kind": kind}, name=f"{kind}_create"),
        path(
            f"assessments/<int:pk>/{plural}/<int:item_id>/edit/", items.item_edit, {"kind": kind}, name=f"{kind}_edit"
        ),
        path(
            f"assessments/<int:pk>/{plural}/<int:item_id>/delete/",
            items.item_delete,
            {"kind": kind},
            name=f"{kind}_delete",
        ),
        path(
            f"assessments/<int:pk>/{plural}/<int:item_id>/move/", items.item_move, {"kind": kind}, name=f"{kind}_move"
        ),
        path(
            f"assessments/<int:pk>/{plural}/<int:item_id>/duplicate/",
            items.item_duplicate,
            {"kind": kind},
            name=f"{kind}_duplicate",
        ),
        path(
            f"assessments/<int:pk>/{plural}/<int:item_id>/merge/",
            items.item_merge,
            {"kind": kind},
            name=f"{kind}_merge",
        ),
    ]

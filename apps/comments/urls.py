from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("assessments/<int:pk>/comments/", views.thread_list, name="list"),
    path("assessments/<int:pk>/comments/new/", views.thread_create, name="create"),
    path("assessments/<int:pk>/comments/<int:thread_id>/", views.thread_detail, name="detail"),
    path("assessments/<int:pk>/comments/<int:thread_id>/reply/", views.comment_add, name="reply"),
    path("assessments/<int:pk>/comments/<int:thread_id>/resolve/", views.thread_resolve, name="resolve"),
]

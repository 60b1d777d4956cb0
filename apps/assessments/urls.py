from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("assessments/new/", views.assessment_create, name="create"),
    path("assessments/<int:pk>/activity/", views.activity, name="activity"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("assessments/<int:pk>/follow/", views.follow, name="follow"),
    path("assessments/<int:pk>/marking/", views.marking, name="marking"),
    path("assessments/<int:pk>/fork/", views.fork, name="fork"),
    path("upload/", views.upload, name="upload"),
]

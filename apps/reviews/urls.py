from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("assessments/<int:pk>/review/board/", views.board, name="board"),
    path("assessments/<int:pk>/report/", views.report, name="report"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]

from __future__ import annotations

from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("scores/<int:pk>/approve/", views.ScoreApproveView.as_view(), name="score-approve"),
    path("scores/<int:pk>/override/", views.ScoreOverrideView.as_view(), name="score-override"),
    path("scores/<int:pk>/disputes/", views.DisputeOpenView.as_view(), name="dispute-open"),
    path("disputes/<int:pk>/decide/", views.DisputeDecideView.as_view(), name="dispute-decide"),
    path("calls/<int:pk>/coaching/", views.CoachingCommentAddView.as_view(), name="coaching-add"),
    path("coaching/<int:pk>/reply/", views.CoachingReplyView.as_view(), name="coaching-reply"),
]

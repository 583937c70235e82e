"""Suggestion work pages (mounted at /work/suggestions/)."""

from django.urls import path

from zhitong.suggestions import views, views_staff

app_name = "suggestions"
urlpatterns = [
    path("from-opinion/<int:pk>/", views.raise_from_opinion_view, name="raise_from_opinion"),
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
    # 交: the staff's pages (views_staff).
    path("queue/", views_staff.queue_view, name="queue"),
    path("<int:pk>/register/", views_staff.register_view, name="register"),
    path("<int:pk>/propose/", views_staff.propose_view, name="propose"),
    path("<int:pk>/key/", views_staff.mark_key_view, name="mark_key"),
    path("<int:pk>/reassign/", views_staff.reassign_view, name="reassign"),
    path("meeting/", views_staff.meeting_view, name="meeting"),
    path("settings/", views_staff.settings_view, name="settings"),
    path("sessions/", views_staff.sessions_view, name="sessions"),
    path("sessions/<int:pk>/", views_staff.session_edit_view, name="session_edit"),
    path("booklet/", views_staff.booklet_view, name="booklet"),
    path("booklet/<int:pk>/", views_staff.booklet_job_view, name="booklet_job"),
    path("booklet/<int:pk>/download/", views_staff.booklet_download_view, name="booklet_download"),
]

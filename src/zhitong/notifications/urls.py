"""Notification centre URLs (mounted at /work/notifications/)."""

from django.urls import path

from zhitong.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre_view, name="centre"),
    path("<int:pk>/read/", views.mark_read_view, name="read"),
    path("read-all/", views.mark_all_read_view, name="read_all"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/preferences/", views.preferences_view, name="preferences"),
]

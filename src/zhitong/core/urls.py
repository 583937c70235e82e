"""Core pages: the audit page (/work/audit/) and background jobs (/work/jobs/)."""

from django.urls import path

from zhitong.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.access_records_view, name="access_records"),
    path("jobs/", views.jobs_view, name="jobs"),
    path("jobs/<int:pk>/", views.job_view, name="job"),
    path("jobs/<int:pk>/retry/", views.job_retry_view, name="job_retry"),
    path("jobs/<int:pk>/download/", views.job_download_view, name="job_download"),
]

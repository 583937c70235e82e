"""The audit page (mounted at /work/audit/)."""

from django.urls import path

from zhitong.core import views

app_name = "core"
urlpatterns = [path("", views.access_records_view, name="access_records")]

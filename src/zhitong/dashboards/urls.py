"""The district at a glance (mounted at /work/overview/)."""

from django.urls import path

from zhitong.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.overview_view, name="overview"),
]

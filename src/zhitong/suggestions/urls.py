"""Suggestion work pages (mounted at /work/suggestions/)."""

from django.urls import path

from zhitong.suggestions import views

app_name = "suggestions"
urlpatterns = [
    path("from-opinion/<int:pk>/", views.raise_from_opinion_view, name="raise_from_opinion"),
    path("", views.list_view, name="list"),
    path("<int:pk>/", views.detail_view, name="detail"),
]
